# RMST of two arms and their contrasts, as survRM2::rmst2 without covariates. survRM2 is not
# packaged in Debian and CRAN is unreachable here, so this script computes the reference with
# survival itself: each arm's RMST and SE from summary(survfit(...), rmean = tau)$table
# (survival:::survmean, the same Greenwood plug-in variance survRM2 documents), and the
# contrasts with the delta-method formulas in survRM2's documentation (Uno et al., JCO 2014):
#   difference  mu1 - mu0,  se = sqrt(v1 + v0),                       Wald CI, 2-sided normal p
#   ratio       log(mu1 / mu0),  se = sqrt(v1 / mu1^2 + v0 / mu0^2),  exp(Wald CI), p on the log
#   RMTL ratio  log((tau - mu1) / (tau - mu0)), likewise
# Default tau: the smaller of the arms' largest follow-up times (survRM2's default).
# Run from tests/reference: Rscript r/rmst_arms.R
source("r/_common.R")

arm_rmst <- function(d, tau) {
  fit <- survfit(Surv(time, status) ~ arm, data = d)
  tab <- summary(fit, rmean = tau)$table
  list(rmst = unname(tab[, "rmean"]), se = unname(tab[, "se(rmean)"]))
}
contrasts <- function(d, tau, level) {
  z <- qnorm(1 - (1 - level) / 2)
  a <- arm_rmst(d, tau)
  mu0 <- a$rmst[1]; mu1 <- a$rmst[2]; v0 <- a$se[1]^2; v1 <- a$se[2]^2
  wald <- function(est, se, log = FALSE) {
    s <- if (log) log(est) else est
    ci <- s + c(-1, 1) * z * se
    list(estimate = est, se = se, lower = if (log) exp(ci[1]) else ci[1],
         upper = if (log) exp(ci[2]) else ci[2], p = 2 * pnorm(-abs(s / se)))
  }
  l0 <- tau - mu0; l1 <- tau - mu1
  list(tau = tau, level = level, rmst = a$rmst, se = a$se,
       lower = a$rmst - z * a$se, upper = a$rmst + z * a$se,
       difference = wald(mu1 - mu0, sqrt(v1 + v0)),
       ratio = wald(mu1 / mu0, sqrt(v1 / mu1^2 + v0 / mu0^2), log = TRUE),
       rmtl_ratio = wald(l1 / l0, sqrt(v1 / l1^2 + v0 / l0^2), log = TRUE))
}

l <- survival::lung
d <- data.frame(time = l$time, status = l$status - 1L, arm = l$sex)
path <- write_input(d, "rmst_arms_lung")
default_tau <- min(tapply(d$time, d$arm, max))
res <- list(default = contrasts(d, default_tau, 0.95), tau365 = contrasts(d, 365, 0.95))
write_expected("rmst_arms_lung",
               provenance("summary(survfit(Surv(time, status) ~ sex), rmean = tau)$table + delta method",
                          path),
               res)

v <- survival::veteran
d <- data.frame(time = v$time, status = v$status, arm = v$trt)
path <- write_input(d, "rmst_arms_veteran")
res <- list(tau200_90 = contrasts(d, 200, 0.90))
write_expected("rmst_arms_veteran",
               provenance("summary(survfit(Surv(time, status) ~ trt), rmean = 200)$table + delta method",
                          path),
               res)
