# The formula interface for Fine-Gray (mrdguide.analysis.finegray) against cmprsk::crr with the
# covariate matrix built by R's model.matrix (treatment contrasts, first sorted level as
# reference), on a seeded synthetic cohort (SIM- ids) with relapse (1), death in remission (2)
# and censoring (0): both causes; predict.crr for new rows encoded with the fit's levels; and
# na.omit (rows with a missing covariate dropped before model.matrix, as a formula does).
# Run from tests/reference: Rscript r/formula_crr.R
source(file.path("r", "_common.R"))
suppressPackageStartupMessages(library(cmprsk))
options(width = 250)  # printed summaries unwrapped
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
# drawn after everything above, so the columns above do not depend on it
d$wbc <- round(10^rnorm(n, 1.2, 0.6), 1)
d$wbc[sample(n, 25)] <- NA
path <- write_input(d, "formula_crr")

`%||%` <- function(a, b) if (is.null(a)) b else a
summ <- function(fit, X, status) {
  s <- summary(fit)
  beta <- fit$coef
  wald <- drop(t(beta) %*% solve(fit$var) %*% beta)
  list(names = colnames(X), coef = unname(fit$coef), std_err = unname(sqrt(diag(fit$var))),
       covariance = unname(fit$var), coefficients = unname(s$coef), conf_int = unname(s$conf.int),
       loglik = fit$loglik, loglik_null = fit$loglik.null,
       pseudo_lr = 2 * (fit$loglik - fit$loglik.null), wald = wald, df = length(beta),
       n = fit$n, n_events = sum(status == (fit$call$failcode %||% 1)),
       printed = capture.output(print(s)))
}
X <- model.matrix(~ age + subtype + log10(mrd_eoi), data = d)[, -1]
fit1 <- crr(d$time, d$cause, X, failcode = 1, cencode = 0)
fit2 <- crr(d$time, d$cause, X, failcode = 2, cencode = 0)

# new rows: model.matrix with the levels of the fitted data
new <- data.frame(age = c(4, 12, 16), subtype = c("ETV6-RUNX1", "BCR-ABL1", "B-other"),
                  mrd_eoi = c(1e-5, 2e-3, 1e-4))
new$subtype <- factor(new$subtype, levels = levels(factor(d$subtype)))
Xnew <- model.matrix(~ age + subtype + log10(mrd_eoi), data = new)[, -1, drop = FALSE]
pr <- predict(fit1, cov1 = Xnew)

# na.omit: the rows a formula would drop (complete cases of the variables it uses)
used <- c("time", "cause", "age", "subtype", "wbc")
keep <- complete.cases(d[, used])
dn <- d[keep, ]
Xn <- model.matrix(~ age + subtype + log(wbc), data = dn)[, -1]
fitn <- crr(dn$time, dn$cause, Xn, failcode = 1, cencode = 0)

res <- list(
  columns = colnames(X),
  relapse = summ(fit1, X, d$cause),
  death = summ(fit2, X, d$cause),
  newdata = list(age = new$age, subtype = as.character(new$subtype), mrd_eoi = new$mrd_eoi),
  predict_relapse = unname(unclass(pr)),
  na_omit = c(summ(fitn, Xn, dn$cause),
              list(n_deleted = sum(!keep), deleted_rows = which(!keep)))
)
prov <- provenance(paste(
  "crr(time, cause, model.matrix(~ age + subtype + log10(mrd_eoi), d)[, -1], failcode = 1 | 2,",
  "cencode = 0); summary(); predict.crr(cov1 = model.matrix(newdata with the fit's levels));",
  "crr on complete cases of (time, cause, age, subtype, wbc) with",
  "model.matrix(~ age + subtype + log(wbc)); synthetic SIM- cohort"), path)
write_expected("formula_crr", prov, res)
