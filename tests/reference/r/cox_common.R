# Helpers shared by the cox_*.R reference scripts (defines functions only).
# Run a cox_*.R script from tests/reference, e.g. `Rscript r/cox_lung.R`.
source(file.path("r", "_common.R"))

# Everything mrdguide.survival.cox_ph reports, from one coxph fit.
cox_summary <- function(fit) {
  cf <- unname(coef(fit))
  v <- fit$var
  naive <- if (!is.null(fit$naive.var)) fit$naive.var else fit$var
  # NULL when R cannot build it (survfit fails on survival 3.5-3's agexact fits)
  bh <- tryCatch(basehaz(fit, centered = FALSE), error = function(e) NULL)
  out <- list(
    names = names(coef(fit)),
    coef = cf,
    std_err = sqrt(diag(v)),
    naive_std_err = sqrt(diag(naive)),
    covariance = unname(v),
    loglik_null = fit$loglik[1],
    loglik = fit$loglik[2],
    score_test = unname(fit$score),
    wald_test = unname(fit$wald.test),
    lr_test = unname(2 * (fit$loglik[2] - fit$loglik[1])),
    rscore = if (is.null(fit$rscore)) NA else unname(fit$rscore),
    df = sum(!is.na(cf)),
    iterations = fit$iter,
    concordance = unname(fit$concordance["concordance"]),
    concordance_std = unname(fit$concordance["std"]),
    n = fit$n,
    n_events = fit$nevent,
    baseline_time = if (is.null(bh)) NA else bh$time,
    baseline_cumhaz = if (is.null(bh)) NA else bh$hazard,
    baseline_strata = if (is.null(bh$strata)) NA else as.character(bh$strata)
  )
  out
}
