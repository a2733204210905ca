# Quantiles with confidence limits (quantile.survfit) and the curve at chosen times
# (summary(survfit, times =, extend =)) on survival::lung (three CI transforms, fractional
# weights with the robust variance, left truncation), plus small curves that exercise the
# edge rules: a curve flat at exactly 0.5, one that ends flat at exactly 0.5 (quantile's
# "last point" midpoint; print's median differs there) and one with an event at time 0.
# Run from tests/reference: Rscript r/km_quantile.R
source("r/_common.R")

probs <- c(0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9)
times <- c(0, 5, 30, 100.5, 183, 365, 730, 1022, 1100)
quant <- function(fit, p = probs) {
  q <- quantile(fit, probs = p)
  list(probs = p, quantile = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper))
}
summ <- function(fit, tt = times) {
  one <- function(extend) {
    s <- summary(fit, times = tt, extend = extend)
    list(time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
         surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper)
  }
  list(times = tt, plain = one(FALSE), extend = one(TRUE))
}
med <- function(fit) unname(summary(fit)$table["median"])

l <- survival::lung
i <- seq_len(nrow(l))
d <- data.frame(time = l$time, status = l$status - 1L,
                weight = 0.25 + (i %% 7) / 4 + (i %% 3) / 10,
                entry = floor(l$time * ((i %% 5) / 10)))
path <- write_input(d, "km_quantile_lung")
res <- list()
for (ct in c("log", "log-log", "plain")) {
  fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = ct)
  res[[ct]] <- list(quantile = quant(fit), summary = summ(fit))
}
fw <- survfit(Surv(time, status) ~ 1, data = d, weights = weight, conf.type = "log-log")
res$robust <- list(quantile = quant(fw), summary = summ(fw))
fe <- survfit(Surv(entry, time, status) ~ 1, data = d, conf.type = "log")
res$entry <- list(quantile = quant(fe), summary = summ(fe))

small <- list(
  flat_half = list(time = c(1, 2, 3, 4, 6, 7, 9, 10), status = c(1, 1, 1, 1, 0, 1, 0, 1)),
  ends_at_half = list(time = c(1, 2, 3, 4), status = c(1, 1, 0, 0)),
  event_at_zero = list(time = c(0, 0, 1, 2, 2, 3, 5, 8), status = c(1, 0, 1, 1, 0, 1, 0, 1))
)
for (nm in names(small)) {
  s <- small[[nm]]
  fit <- survfit(Surv(s$time, s$status) ~ 1, conf.type = "log")
  res[[nm]] <- c(s, list(quantile = quant(fit, c(0, 0.25, 0.5, 0.75)),
                         summary = summ(fit, c(0, 0.5, 2, 2.5, 10, 11)), median = med(fit)))
}
call <- paste("quantile(survfit(...), probs); summary(fit, times, extend = FALSE/TRUE);",
              "conf.type = log | log-log | plain; weights = weight (robust); Surv(entry, time,",
              "status); small curves with conf.type = 'log'")
write_expected("km_quantile_lung", provenance(call, path), res)
