# Reference 5-year cumulative incidence of relapse from cause-specific Cox models (R survival
# multi-state coxph + survfit, Aalen-Johansen), for tests/unit/risk/test_reference.py.
# Run from the repository root: Rscript tests/unit/risk/reference/cs_absolute_risk.R
library(survival)
library(jsonlite)
here <- "tests/unit/risk/reference"
path <- file.path(here, "cs_untied.csv")
d <- read.csv(path)
d$id <- seq_len(nrow(d))
d$state <- factor(d$cause, 0:2, c("censor", "relapse", "death"))
fit <- coxph(Surv(time, state) ~ gi + gh + m + neg, data = d, id = id)
nd <- data.frame(gi = c(0, 1, 0, 0), gh = c(0, 0, 1, 0), m = c(0, 1, 2, log10(5e-6) + 4),
                 neg = c(0, 0, 0, 1))
horizon <- 5 * 365.25
s <- summary(survfit(fit, newdata = nd), times = horizon)
out <- list(
  provenance = list(
    r = R.version.string,
    survival = as.character(packageVersion("survival")),
    call = "coxph(Surv(time, state) ~ gi + gh + m + neg, id = id); survfit(fit, newdata)",
    input_sha256 = strsplit(system2("sha256sum", path, stdout = TRUE), " ")[[1]][1],
    input = "cs_untied.csv (make_input.py)"
  ),
  horizon_days = horizon,
  newdata = nd,
  coef_relapse = unname(coef(fit)[1:4]),
  coef_death = unname(coef(fit)[5:8]),
  cif_relapse = unname(s$pstate[1, , 2])
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path(here, "cs_absolute_risk.json"))
