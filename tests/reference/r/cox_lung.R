# Cox models on survival::lung (complete cases): Efron, Breslow, robust, case weights, aliased.
source(file.path("r", "cox_common.R"))
d <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog", "wt.loss")])
d$event <- as.integer(d$status == 2)
set.seed(20260101)
d$w <- sample(1:3, nrow(d), replace = TRUE)
d$sex2 <- 3 - d$sex # aliased with sex (Cox has no intercept)
d <- d[, c("time", "event", "age", "sex", "ph.ecog", "wt.loss", "w", "sex2")]
rownames(d) <- NULL
path <- write_input(d, "cox_lung")
fits <- list(
  efron = coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, d),
  breslow = coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, d, ties = "breslow"),
  robust = coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, d, robust = TRUE),
  weights = coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, d, weights = w),
  breslow_weights_robust = coxph(Surv(time, event) ~ age + sex + ph.ecog, d, weights = w,
                                 ties = "breslow", robust = TRUE),
  aliased = coxph(Surv(time, event) ~ age + sex + sex2 + ph.ecog, d)
)
res <- lapply(fits, cox_summary)
prov <- provenance("coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, lung complete cases; see script)", path)
write_expected("cox_lung", prov, res)
