# Near-tied times (R's timefix / aeqSurv) and fractional case weights (robust by default).
#  * lung with time in years computed two ways (days / 365.25 for odd rows, months / 12 with
#    months = days / 30.4375 for even rows): equal days give times that differ in the last
#    bits. The CSV keeps all 17 significant digits (write.csv would round them to 15). coxph merges them (timefix = TRUE, the default); timefix = FALSE keeps them apart.
#  * lung with non-integer case weights: coxph switches to the robust variance by itself.
source(file.path("r", "cox_common.R"))
d <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog", "wt.loss")])
d$event <- as.integer(d$status == 2)
odd <- seq_len(nrow(d)) %% 2 == 1
d$years <- ifelse(odd, d$time / 365.25, (d$time / 30.4375) / 12)
set.seed(20260202)
d$fw <- round(runif(nrow(d), 0.5, 2.5), 3)
d <- d[, c("time", "years", "event", "age", "sex", "ph.ecog", "wt.loss", "fw")]
rownames(d) <- NULL
out <- d
out$years <- sprintf("%.17g", d$years)
path <- write_input(out, "cox_timefix")
# the CSV round trip must keep the near ties: re-read it and fit what Python will read
d <- read.csv(path)
f <- Surv(years, event) ~ age + sex + ph.ecog + wt.loss
fits <- list(
  timefix = coxph(f, d),
  no_timefix = coxph(f, d, control = coxph.control(timefix = FALSE)),
  timefix_breslow = coxph(f, d, ties = "breslow"),
  days = coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, d),
  frac_weights = coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, d, weights = fw),
  frac_weights_naive = coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, d,
                             weights = fw, robust = FALSE)
)
res <- lapply(fits, cox_summary)
res$distinct_times <- list(raw = length(unique(d$years)),
                           merged = length(unique(aeqSurv(Surv(d$years, d$event))[, 1])),
                           days = length(unique(d$time)))
prov <- provenance("coxph(Surv(years, event) ~ age + sex + ph.ecog + wt.loss, lung, timefix = TRUE | FALSE); coxph(..., weights = fw)", path)
write_expected("cox_timefix", prov, res)
