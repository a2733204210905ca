# Counting-process Cox models, Surv(start, stop, event), on survival::heart (Stanford transplant).
source(file.path("r", "cox_common.R"))
d <- heart[, c("start", "stop", "event", "age", "year", "surgery", "transplant")]
d$transplant <- as.integer(as.character(d$transplant))
set.seed(20260102)
d$w <- sample(1:2, nrow(d), replace = TRUE)
rownames(d) <- NULL
path <- write_input(d, "cox_heart")
fits <- list(
  efron = coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, d),
  breslow = coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, d,
                  ties = "breslow"),
  strata = coxph(Surv(start, stop, event) ~ age + year + transplant + strata(surgery), d),
  weights = coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, d, weights = w)
)
res <- lapply(fits, cox_summary)
prov <- provenance("coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, heart)", path)
write_expected("cox_heart", prov, res)
