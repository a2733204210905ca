# The formula interface for Fine-Gray (mrdguide.analysis.finegray) against cmprsk::crr with the
# covariate matrix built by R's model.matrix (treatment contrasts, first sorted level as
# reference), on a seeded synthetic cohort (SIM- ids) with relapse (1), death in remission (2)
# and censoring (0).
# Run from tests/reference: Rscript r/formula_crr.R
source(file.path("r", "_common.R"))
suppressPackageStartupMessages(library(cmprsk))
set.seed(20260302)
n <- 500
lev <- c("B-other", "BCR-ABL1", "ETV6-RUNX1", "high-hyperdiploid")
d <- data.frame(
  id = sprintf("SIM-%04d", seq_len(n)),
  centre = sample(1:20, n, replace = TRUE),
  subtype = sample(lev, n, replace = TRUE, prob = c(0.3, 0.1, 0.25, 0.35)),
  age = round(runif(n, 1, 18), 1),
  mrd_eoi = signif(10^rnorm(n, -3.5, 1.1), 4)
)
b <- c(0, 0.8, -0.6, -0.4)[match(d$subtype, lev)]
t1 <- rexp(n, 0.12 * exp(b + 0.4 * log10(d$mrd_eoi) + 1.2))
t2 <- rexp(n, 0.03 * exp(0.05 * d$age))
cens <- runif(n, 1, 10)
d$time <- round(pmin(t1, t2, cens), 2)
d$cause <- ifelse(cens < pmin(t1, t2), 0L, ifelse(t1 < t2, 1L, 2L))
path <- write_input(d, "formula_crr")
X <- model.matrix(~ age + subtype + log10(mrd_eoi), data = d)[, -1]
summ <- function(fit) {
  s <- summary(fit)
  beta <- fit$coef
  wald <- drop(t(beta) %*% solve(fit$var) %*% beta)
  list(names = colnames(X), coef = unname(fit$coef), std_err = unname(sqrt(diag(fit$var))),
       covariance = unname(fit$var), coefficients = unname(s$coef), conf_int = unname(s$conf.int),
       loglik = fit$loglik, loglik_null = fit$loglik.null,
       pseudo_lr = 2 * (fit$loglik - fit$loglik.null), wald = wald, df = length(beta),
       n = fit$n, n_events = sum(d$cause == fit$call$failcode %||% 1))
}
`%||%` <- function(a, b) if (is.null(a)) b else a
res <- list(
  columns = colnames(X),
  relapse = summ(crr(d$time, d$cause, X, failcode = 1, cencode = 0)),
  death = summ(crr(d$time, d$cause, X, failcode = 2, cencode = 0))
)
res$death$n_events <- sum(d$cause == 2)
prov <- provenance(
  "crr(time, cause, model.matrix(~ age + subtype + log10(mrd_eoi), d)[, -1], failcode = 1 | 2, cencode = 0); summary(); synthetic SIM- cohort",
  path)
write_expected("formula_crr", prov, res)
