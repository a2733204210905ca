# Reference 5-year cumulative incidence of relapse from cause-specific Cox models (R survival
# multi-state coxph + survfit, Aalen-Johansen), for tests/reference/test_cs_absolute_risk_vs_r.py.
# The input is simulated in Python (r/cs_absolute_risk_input.py writes data/cs_absolute_risk.csv);
# run from tests/reference: Rscript r/cs_absolute_risk.R
source("r/_common.R")
path <- file.path("data", "cs_absolute_risk.csv")
d <- read.csv(path)
d$id <- seq_len(nrow(d))
d$state <- factor(d$cause, 0:2, c("censor", "relapse", "death"))
fit <- coxph(Surv(time, state) ~ gi + gh + m + neg, data = d, id = id)
nd <- data.frame(gi = c(0, 1, 0, 0), gh = c(0, 0, 1, 0), m = c(0, 1, 2, log10(5e-6) + 4),
                 neg = c(0, 0, 0, 1))
horizon <- 5 * 365.25
s <- summary(survfit(fit, newdata = nd), times = horizon)
prov <- provenance(
  "coxph(Surv(time, state) ~ gi + gh + m + neg, id = id); survfit(fit, newdata)", path,
  list(input_written_by = "r/cs_absolute_risk_input.py")
)
write_expected("cs_absolute_risk", prov, list(
  horizon_days = horizon,
  newdata = nd,
  coef_relapse = unname(coef(fit)[1:4]),
  coef_death = unname(coef(fit)[5:8]),
  cif_relapse = unname(s$pstate[1, , 2])
))
