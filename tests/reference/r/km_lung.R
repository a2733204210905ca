# Kaplan-Meier reference values on survival::lung: three CI transforms, median + CI, RMST,
# integer case weights and left truncation. Run from tests/reference: Rscript r/km_lung.R
source("r/_common.R")

d <- survival::lung
d <- data.frame(time = d$time, status = d$status - 1L,
                # integer frequency weights and a left-truncation time derived deterministically
                weight = (seq_len(nrow(d)) %% 3L) + 1L,
                entry = floor(d$time * ((seq_len(nrow(d)) %% 5L) / 10)))
path <- write_input(d, "km_lung")

curve <- function(fit) {
  list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
       surv = fit$surv, std_err = fit$std.err, lower = fit$lower, upper = fit$upper)
}
med <- function(fit) {
  tab <- summary(fit)$table
  list(median = unname(tab["median"]), lcl = unname(tab["0.95LCL"]), ucl = unname(tab["0.95UCL"]))
}
rm <- function(fit, tau) {
  tab <- summary(fit, rmean = tau)$table
  list(tau = tau, rmean = unname(tab["rmean"]), se = unname(tab["se(rmean)"]))
}
res <- list()
for (ct in c("log", "log-log", "plain")) {
  fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = ct)
  res[[ct]] <- c(curve(fit), list(median = med(fit)))
}
fit <- survfit(Surv(time, status) ~ 1, data = d)
res$rmst <- list(rm(fit, 365), rm(fit, 500), rm(fit, 1022), rm(fit, 5))
fw <- survfit(Surv(time, status) ~ 1, data = d, weights = weight, conf.type = "log-log")
res$weights <- c(curve(fw), list(median = med(fw), rmst = rm(fw, 500)))
fe <- survfit(Surv(entry, time, status) ~ 1, data = d, conf.type = "log-log")
res$entry <- c(curve(fe), list(median = med(fe)))
few <- survfit(Surv(entry, time, status) ~ 1, data = d, weights = weight, conf.type = "log")
res$entry_weights <- curve(few)
call <- paste("survfit(Surv(time, status) ~ 1, conf.type = {log, log-log, plain});",
              "weights = weight; Surv(entry, time, status); summary(fit, rmean = tau)$table")
write_expected("km_lung", provenance(call, path), res)
