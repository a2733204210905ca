# Fine-Gray regression (cmprsk::crr) on a seeded simulated cohort with heavy ties
# (integer months) and two competing causes.
source(file.path("r", "_common.R"))
suppressPackageStartupMessages(library(cmprsk))
set.seed(20260103)
n <- 600
x1 <- round(rnorm(n), 3)
x2 <- rbinom(n, 1, 0.4)
x3 <- round(runif(n, 0, 2), 2)
lp1 <- 0.5 * x1 - 0.7 * x2 + 0.3 * x3
t1 <- rexp(n, 0.02 * exp(lp1))
t2 <- rexp(n, 0.015 * exp(-0.3 * x1 + 0.4 * x2))
cens <- runif(n, 10, 90)
etime <- ceiling(pmin(t1, t2, cens))
cause <- ifelse(cens < pmin(t1, t2), 0L, ifelse(t1 < t2, 1L, 2L))
d <- data.frame(etime = etime, cause = cause, x1 = x1, x2 = x2, x3 = x3)
path <- write_input(d, "finegray_sim")
X <- as.matrix(d[, c("x1", "x2", "x3")])
summ <- function(f, failcode) {
  list(names = names(f$coef), coef = unname(f$coef), covariance = unname(f$var),
       std_err = sqrt(diag(f$var)), loglik = f$loglik, loglik_null = f$loglik.null,
       converged = f$converged, n = f$n, n_events = sum(d$cause == failcode),
       baseline_time = f$uftime, baseline_cumhaz = cumsum(f$bfitj),
       information = unname(f$inf))
}
res <- list(
  cause1 = summ(crr(d$etime, d$cause, X, failcode = 1), 1),
  cause2 = summ(crr(d$etime, d$cause, X, failcode = 2), 2)
)
prov <- provenance("crr(etime, cause, cbind(x1, x2, x3), failcode = 1 | 2), seeded simulation", path)
write_expected("finegray_sim", prov, res)
