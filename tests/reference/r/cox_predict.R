# Predictions from coxph on committed inputs (read back from data/): survfit(fit, newdata) at
# chosen times for each conf.type, and predict(type = lp | risk | expected | survival).
source(file.path("r", "cox_common.R"))
rd <- function(name) read.csv(file.path("data", paste0(name, ".csv")))
lung_d <- rd("cox_lung"); vet <- rd("cox_veteran"); hrt <- rd("cox_heart"); ex <- rd("cox_exact_lung")
curves <- function(fit, newdata, times) {
  lapply(c(log = "log", loglog = "log-log", plain = "plain"), function(ct) {
    sf <- survfit(fit, newdata = newdata, conf.type = ct)
    s <- summary(sf, times = times, extend = TRUE)
    list(time = s$time, surv = unname(as.matrix(s$surv)), std_err = unname(as.matrix(s$std.err)),
         lower = unname(as.matrix(s$lower)), upper = unname(as.matrix(s$upper)),
         cumhaz = unname(as.matrix(s$cumhaz)), strata = if (is.null(s$strata)) NA else as.character(s$strata))
  })
}
preds <- function(fit, newdata = NULL, ...) {
  one <- function(type, ...) {
    p <- if (is.null(newdata)) predict(fit, type = type, se.fit = TRUE, ...)
         else predict(fit, newdata = newdata, type = type, se.fit = TRUE, ...)
    list(fit = unname(p$fit), se = unname(p$se.fit))
  }
  list(lp = one("lp", ...), risk = one("risk", ...))
}
new_lung <- data.frame(age = c(50, 65, 80), sex = c(1, 2, 1), ph.ecog = c(0, 1, 2), wt.loss = c(0, 5, 20))
f_lung <- coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, lung_d)
f_lung_rb <- coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, lung_d, ties = "breslow",
                   robust = TRUE)
f_vet <- coxph(Surv(time, event) ~ trt2 + karno + age + strata(stratum), vet)
new_vet <- data.frame(trt2 = c(0, 1, 1), karno = c(60, 40, 80), age = c(60, 70, 50), stratum = c(1, 2, 4))
f_hrt <- coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, hrt)
new_hrt <- data.frame(age = c(-5, 5), year = c(2, 4), surgery = c(0, 1), transplant = c(0, 1))
f_ex <- coxph(Surv(month, event) ~ age + sex + ph.ecog, ex, ties = "exact")
t_lung <- c(5, 100, 300, 500.5, 800, 1022)
res <- list(
  new_lung = lapply(new_lung, identity), new_vet = lapply(new_vet, identity),
  new_heart = lapply(new_hrt, identity),
  times_lung = t_lung, times_vet = c(1, 30, 100, 250, 587), times_heart = c(1, 50, 200, 1000),
  times_exact = c(1, 6, 12, 24, 34),
  surv_lung = curves(f_lung, new_lung, t_lung),
  surv_lung_robust = curves(f_lung_rb, new_lung, t_lung),
  surv_vet = curves(f_vet, new_vet, c(1, 30, 100, 250, 587)),
  surv_heart = curves(f_hrt, new_hrt, c(1, 50, 200, 1000)),
  surv_exact = curves(f_ex, new_lung[, 1:3], c(1, 6, 12, 24, 34)),
  pred_lung = preds(f_lung),
  pred_lung_new = preds(f_lung, new_lung),
  pred_lung_robust = preds(f_lung_rb, new_lung),
  pred_vet_strata = preds(f_vet),
  pred_vet_sample = preds(f_vet, reference = "sample"),
  pred_vet_zero = preds(f_vet, reference = "zero"),
  pred_vet_new_strata = preds(f_vet, new_vet),
  pred_vet_new_sample = preds(f_vet, new_vet, reference = "sample"),
  expected_lung = unname(predict(f_lung, type = "expected")),
  expected_heart = unname(predict(f_hrt, type = "expected")),
  expected_vet = unname(predict(f_vet, type = "expected")),
  expected_lung_new = unname(predict(f_lung, newdata = cbind(new_lung, time = c(100, 300, 700),
                                                             event = 1), type = "expected")),
  survival_vet_new = unname(predict(f_vet, newdata = cbind(new_vet, time = c(30, 100, 250),
                                                           event = 0), type = "survival"))
)
ins <- c("cox_lung", "cox_veteran", "cox_heart", "cox_exact_lung")
extra <- setNames(lapply(ins, function(i) sha256_file(file.path("data", paste0(i, ".csv")))),
                  paste0(ins, "_sha256"))
prov <- provenance("summary(survfit(coxph(...), newdata, conf.type), times, extend = TRUE); predict(coxph(...), [newdata,] type, se.fit = TRUE, reference)",
                   file.path("data", "cox_lung.csv"), extra)
write_expected("cox_predict", prov, res)
