# Near-tied times (R's timefix / aeqSurv) on survival::lung with time in years computed two
# ways: men's records as days / 365.25, women's as weeks / 52 with weeks = days / (365.25 / 52).
# Equal days then differ in the last bits between the sexes: 184 distinct floating-point times,
# 178 after R merges them. Rows: lung with wt.loss and ph.ecog recorded (213 patients).
# survfit / survdiff (timefix = TRUE, R's default) are the reference for timefix=True;
# survfit(timefix = FALSE) and survival:::survdiff.fit on the raw times (survdiff's own
# timefix = FALSE fails in survival 3.5-3: the flag is passed on to model.frame) for
# timefix=False. The CSV is written with 17 significant digits (write.csv keeps 15, which
# would erase the differences) and R computes on the values read back from it.
# Run from tests/reference: Rscript r/km_timefix.R
source("r/_common.R")

l <- survival::lung
l <- l[!is.na(l$wt.loss) & !is.na(l$ph.ecog), ]
years <- ifelse(l$sex == 1, l$time / 365.25, (l$time / (365.25 / 52)) / 52)
d <- data.frame(time = sprintf("%.17g", years), status = l$status - 1L, sex = l$sex,
                ph_ecog = l$ph.ecog, weight = round(l$wt.loss %% 7 / 3 + 0.25, 2) + 0.5)
path <- file.path("data", "km_timefix_lung.csv")
write.csv(d, path, row.names = FALSE, quote = FALSE)
d <- read.csv(path)
stopifnot(length(unique(d$time)) == 184, length(unique(aeqSurv(Surv(d$time, d$status))[, 1])) == 178)

curve <- function(fit) {
  list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
       surv = fit$surv, std_err = fit$std.err, lower = fit$lower, upper = fit$upper)
}
test <- function(fit) {
  list(chisq = fit$chisq, pvalue = fit$pvalue,
       obs = unname(if (is.matrix(fit$obs)) rowSums(fit$obs) else fit$obs),
       exp = unname(if (is.matrix(fit$exp)) rowSums(fit$exp) else fit$exp))
}
raw_test <- function(y, group) {
  f <- survival:::survdiff.fit(y, strata(group), rep(1, length(group)), 0)
  keep <- f$expected > 0
  dd <- (f$observed - f$expected)[keep][-1]
  vv <- f$var[keep, keep][-1, -1, drop = FALSE]
  chisq <- sum(solve(vv, dd) * dd)
  list(chisq = chisq, obs = f$observed, exp = f$expected)
}
y <- Surv(d$time, d$status)
res <- list(
  n_distinct_raw = length(unique(d$time)),
  n_distinct_merged = length(unique(aeqSurv(y)[, 1])),
  km = curve(survfit(y ~ 1, conf.type = "log-log")),
  km_raw = curve(survfit(y ~ 1, conf.type = "log-log", timefix = FALSE)),
  km_weights = curve(survfit(y ~ 1, weights = d$weight, robust = FALSE, conf.type = "log")),
  logrank_sex = test(survdiff(Surv(time, status) ~ sex, data = d)),
  logrank_sex_raw = raw_test(y, d$sex),
  logrank_ecog = test(survdiff(Surv(time, status) ~ ph_ecog, data = d)),
  logrank_ecog_raw = raw_test(y, d$ph_ecog),
  logrank_ecog_strata_rho1 = test(survdiff(Surv(time, status) ~ ph_ecog + strata(sex), data = d,
                                           rho = 1))
)
call <- paste("survfit(Surv(time, status) ~ 1, conf.type = 'log-log'[, timefix = FALSE]);",
              "survfit(..., weights = weight, robust = FALSE, conf.type = 'log');",
              "survdiff(Surv(time, status) ~ sex | ph_ecog | ph_ecog + strata(sex), rho = 1);",
              "survival:::survdiff.fit on the raw times (timefix = FALSE)")
write_expected("km_timefix_lung", provenance(call, path), res)
