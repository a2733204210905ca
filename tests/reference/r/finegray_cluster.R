# Fine-Gray with clusters, an offset and predicted cumulative incidence with CIs.
# crr has no cluster or offset option and predict.crr gives no CI. Without censoring the
# censoring weights are 1 and the Fine-Gray model is exactly a Breslow Cox model on
# finegray() data (competing-event subjects stay at risk with weight 1), so R's coxph(...,
# cluster = ) and survfit(coxph, newdata) are exact references there. Data: survival::mgus2,
# subjects with an event (progression = 1, death = 2; no censoring), a seeded centre 1..40.
source(file.path("r", "_common.R"))
suppressPackageStartupMessages(library(cmprsk))
m <- mgus2
m$etime <- ifelse(m$pstat == 0, m$futime, m$ptime)
m$cause <- ifelse(m$pstat == 0, 2L * m$death, 1L)
m$male <- as.integer(m$sex == "M")
e <- na.omit(m[, c("id", "etime", "cause", "age", "male", "hgb", "creat", "mspike")])
e <- e[e$cause > 0, ]
set.seed(20260203)
e$center <- sample(1:40, nrow(e), replace = TRUE)
e$off <- round(0.02 * (e$hgb - 13), 4)
rownames(e) <- NULL
path <- write_input(e, "finegray_cluster")
cols <- c("age", "male", "hgb", "creat", "mspike")
X <- as.matrix(e[, cols])
e$ev <- factor(e$cause, 0:2, c("censor", "pcm", "death"))
fd <- finegray(Surv(etime, ev) ~ ., data = e, etype = "pcm")
f <- Surv(fgstart, fgstop, fgstatus) ~ age + male + hgb + creat + mspike
fit_id <- coxph(f, data = fd, weights = fgwt, ties = "breslow", cluster = id)
fit_center <- coxph(f, data = fd, weights = fgwt, ties = "breslow", cluster = center)
fit_offset <- coxph(update(f, . ~ . + offset(off)), data = fd, weights = fgwt,
                    ties = "breslow", cluster = center)
summ <- function(g) list(coef = unname(coef(g)), covariance = unname(g$var),
                         std_err = unname(sqrt(diag(g$var))))
crr0 <- crr(e$etime, e$cause, X)
new <- data.frame(age = c(60, 75, 85), male = c(0, 1, 1), hgb = c(13, 11, 14),
                  creat = c(1, 1.4, 0.9), mspike = c(0.5, 1.5, 1.0), off = 0)
times <- c(30, 120, 240, 360, 420)
curves <- lapply(c(log = "log", loglog = "log-log", plain = "plain"), function(ct) {
  s <- summary(survfit(fit_id, newdata = new, conf.type = ct), times = times, extend = TRUE)
  list(time = s$time, cif = 1 - s$surv, std_err = s$std.err,
       cif_lower = 1 - s$upper, cif_upper = 1 - s$lower)
})
res <- list(
  crr = list(coef = unname(crr0$coef), covariance = unname(crr0$var)),
  cox_id = summ(fit_id),
  cox_center = summ(fit_center),
  cox_center_offset = summ(fit_offset),
  newdata = lapply(new[, cols], identity),
  predict_times = times,
  curves = curves,
  predict_crr = unname(unclass(predict(crr0, cov1 = as.matrix(new[, cols]))))
)
prov <- provenance(
  "coxph(Surv(fgstart, fgstop, fgstatus) ~ age + male + hgb + creat + mspike [+ offset(off)], finegray(mgus2 events only), weights = fgwt, ties = 'breslow', cluster = id | center); survfit(., newdata, conf.type); crr(etime, cause, X)",
  path)
write_expected("finegray_cluster", prov, res)
