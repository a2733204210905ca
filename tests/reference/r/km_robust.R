# Kaplan-Meier with fractional case weights: R's survfit reports the infinitesimal-jackknife
# (robust) variance by default for non-integer weights (survfitKM: robust <- TRUE when any
# weight != floor(weight)); with robust = TRUE also for integer weights. Inputs: survival::lung
# with deterministic fractional weights and a left-truncation time, and a seeded tied cohort
# whose curve drops to 0 at its last time. Run from tests/reference: Rscript r/km_robust.R
source("r/_common.R")

curve <- function(fit) {
  list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
       surv = fit$surv, std_err = fit$std.err, lower = fit$lower, upper = fit$upper,
       logse = fit$logse)
}

l <- survival::lung
i <- seq_len(nrow(l))
d <- data.frame(time = l$time, status = l$status - 1L,
                weight = 0.25 + (i %% 7) / 4 + (i %% 3) / 10,
                iweight = (i %% 3) + 1L,
                entry = floor(l$time * ((i %% 5) / 10)))
path <- write_input(d, "km_robust_lung")
res <- list()
for (ct in c("log", "log-log", "plain")) {
  res[[ct]] <- curve(survfit(Surv(time, status) ~ 1, data = d, weights = weight, conf.type = ct))
}
res$integer_robust <- curve(survfit(Surv(time, status) ~ 1, data = d, weights = iweight,
                                    robust = TRUE, conf.type = "log-log"))
res$unweighted_robust <- curve(survfit(Surv(time, status) ~ 1, data = d, robust = TRUE,
                                       conf.type = "log"))
res$entry <- curve(survfit(Surv(entry, time, status) ~ 1, data = d, weights = weight,
                           conf.type = "log-log"))
call <- paste("survfit(Surv(time, status) ~ 1, weights = weight, conf.type = {log, log-log,",
              "plain}) (robust by default); weights = iweight, robust = TRUE; robust = TRUE",
              "unweighted; Surv(entry, time, status) with weights = weight")
write_expected("km_robust_lung", provenance(call, path), res)

set.seed(20261124)
n <- 120
s <- data.frame(time = ceiling(rexp(n, 1 / 15)), status = rbinom(n, 1, 0.7),
                weight = round(runif(n, 0.2, 3), 3))
s$time[1:2] <- 0
s$status[s$time == max(s$time)] <- 1L  # the curve reaches 0 at the last time
path <- write_input(s, "km_robust_sim")
res <- list()
for (ct in c("log", "log-log", "plain")) {
  res[[ct]] <- curve(survfit(Surv(time, status) ~ 1, data = s, weights = weight, conf.type = ct))
}
write_expected("km_robust_sim",
               provenance("survfit(Surv(time, status) ~ 1, weights = weight, conf.type = ct)", path),
               res)
