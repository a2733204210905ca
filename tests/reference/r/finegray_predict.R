# Predicted cumulative incidence from crr (predict.crr, no CI) on the censored mgus2 data of
# r/finegray_mgus2.R (read back from data/), and, for comparison only, survfit() of the
# Fine-Gray model fitted as a weighted coxph on finegray() data (approximate here: finegray's
# censoring weights and coxph's robust variance differ slightly from crr's).
source(file.path("r", "_common.R"))
suppressPackageStartupMessages(library(cmprsk))
path <- file.path("data", "finegray_mgus2.csv")
d <- read.csv(path)
cols <- c("age", "male", "hgb", "creat", "mspike")
X <- as.matrix(d[, cols])
new <- data.frame(age = c(60, 75, 85), male = c(0, 1, 1), hgb = c(13, 11, 14),
                  creat = c(1, 1.4, 0.9), mspike = c(0.5, 1.5, 1.0))
p_of <- function(k) unname(unclass(predict(crr(d$etime, d$cause, X, failcode = k),
                                           cov1 = as.matrix(new))))
d$id <- seq_len(nrow(d))
d$ev <- factor(d$cause, 0:2, c("censor", "pcm", "death"))
fd <- finegray(Surv(etime, ev) ~ ., data = d, etype = "pcm")
g <- coxph(Surv(fgstart, fgstop, fgstatus) ~ age + male + hgb + creat + mspike, data = fd,
           weights = fgwt, ties = "breslow", cluster = id)
times <- c(12, 60, 120, 240, 360)
s <- summary(survfit(g, newdata = new), times = times)
res <- list(
  newdata = lapply(new, identity),
  predict_crr_1 = p_of(1),
  predict_crr_2 = p_of(2),
  times = times,
  finegray_coxph = list(coef = unname(coef(g)), cif = 1 - s$surv, std_err = s$std.err,
                        cif_lower = 1 - s$upper, cif_upper = 1 - s$lower)
)
prov <- provenance("predict(crr(etime, cause, X, failcode = 1 | 2), cov1 = newdata); survfit(coxph(Surv(fgstart, fgstop, fgstatus) ~ ., finegray(mgus2), weights = fgwt, cluster = id), newdata)", path)
write_expected("finegray_predict", prov, res)
