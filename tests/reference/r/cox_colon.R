# Cox models on survival::colon, death records (etype == 2), complete cases.
source(file.path("r", "cox_common.R"))
d <- colon[colon$etype == 2, ]
d$lev <- as.integer(d$rx == "Lev")
d$lev5fu <- as.integer(d$rx == "Lev+5FU")
d$event <- d$status
d <- na.omit(d[, c("time", "event", "lev", "lev5fu", "age", "sex", "nodes", "differ", "extent")])
rownames(d) <- NULL
path <- write_input(d, "cox_colon")
fits <- list(
  efron = coxph(Surv(time, event) ~ lev + lev5fu + age + sex + nodes + differ, d),
  breslow = coxph(Surv(time, event) ~ lev + lev5fu + age + sex + nodes + differ, d,
                  ties = "breslow"),
  strata = coxph(Surv(time, event) ~ lev + lev5fu + age + nodes + strata(extent), d)
)
res <- lapply(fits, cox_summary)
prov <- provenance("coxph(Surv(time, event) ~ lev + lev5fu + age + sex + nodes + differ, colon etype 2)", path)
write_expected("cox_colon", prov, res)
