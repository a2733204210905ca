# Cox models on survival::pbc (312 randomised patients, death = status 2), complete cases.
source(file.path("r", "cox_common.R"))
d <- pbc[1:312, ]
d$event <- as.integer(d$status == 2)
d$log_bili <- log(d$bili)
d$log_protime <- log(d$protime)
d$log_albumin <- log(d$albumin)
d <- na.omit(d[, c("time", "event", "age", "edema", "log_bili", "log_albumin", "log_protime", "trt")])
rownames(d) <- NULL
path <- write_input(d, "cox_pbc")
fits <- list(
  efron = coxph(Surv(time, event) ~ age + edema + log_bili + log_albumin + log_protime, d),
  breslow = coxph(Surv(time, event) ~ age + edema + log_bili + log_albumin + log_protime, d,
                  ties = "breslow"),
  robust = coxph(Surv(time, event) ~ age + edema + log_bili + log_albumin + log_protime, d,
                 robust = TRUE)
)
res <- lapply(fits, cox_summary)
prov <- provenance("coxph(Surv(time, event) ~ age + edema + log(bili) + log(albumin) + log(protime), pbc[1:312,])", path)
write_expected("cox_pbc", prov, res)
