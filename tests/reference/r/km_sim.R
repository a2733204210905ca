# Kaplan-Meier reference values on a seeded simulated cohort with heavy ties, events at time 0,
# tied events and censorings, and a curve that is flat at exactly 0.5 (median averaging).
source("r/_common.R")

set.seed(20240603)
n <- 400
time <- pmin(ceiling(rexp(n, 1 / 30)), ceiling(runif(n, 5, 90)))
status <- rbinom(n, 1, 0.7)
time[1:3] <- 0; status[1:3] <- 1
d <- data.frame(time = time, status = status,
                weight = sample(1:4, n, replace = TRUE),
                entry = pmax(0, time - sample(1:40, n, replace = TRUE)))
d$entry[d$entry >= d$time] <- 0
d$entry[d$time == 0] <- NA
path <- write_input(d, "km_sim")
# exact-0.5 plateau: 8 subjects, 4 events then censoring
flat <- data.frame(time = c(1, 2, 3, 4, 6, 7, 9, 10), status = c(1, 1, 1, 1, 0, 1, 0, 1))

curve <- function(fit) {
  list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
       surv = fit$surv, std_err = fit$std.err, lower = fit$lower, upper = fit$upper)
}
med <- function(fit) {
  tab <- summary(fit)$table
  list(median = unname(tab["median"]), lcl = unname(tab["0.95LCL"]), ucl = unname(tab["0.95UCL"]))
}
res <- list()
for (ct in c("log", "log-log", "plain")) {
  fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = ct)
  tab <- summary(fit, rmean = 60)$table
  res[[ct]] <- c(curve(fit), list(median = med(fit), rmst = list(tau = 60,
                 rmean = unname(tab["rmean"]), se = unname(tab["se(rmean)"]))))
}
fw <- survfit(Surv(time, status) ~ 1, data = d, weights = weight, conf.type = "plain")
res$weights <- curve(fw)
de <- d[d$time > 0, ]
fe <- survfit(Surv(entry, time, status) ~ 1, data = de, weights = weight, conf.type = "log-log")
res$entry_weights <- curve(fe)
for (ct in c("log", "log-log", "plain")) {
  ff <- survfit(Surv(time, status) ~ 1, data = flat, conf.type = ct)
  res$flat[[ct]] <- c(curve(ff), list(median = med(ff)))
}
res$flat_data <- as.list(flat)
call <- paste("survfit(Surv(time, status) ~ 1, conf.type = ...); weights = weight;",
              "Surv(entry, time, status) on rows with time > 0; flat: 8-row plateau at 0.5")
write_expected("km_sim", provenance(call, path), res)
