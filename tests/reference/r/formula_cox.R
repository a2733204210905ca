# The formula interface (mrdguide.analysis.coxph) against R's own formula machinery, on a seeded
# synthetic cohort (SIM- ids; nothing real): a 4-level character factor whose reference level
# is R's factor() default (the first sorted level), a log-transformed MRD value, strata() and
# cluster() terms; the same model with another reference level (relevel); an unstratified fit
# with predictions for new rows built from the formula; and na.omit with missing covariates
# (a character level that only occurs in dropped rows disappears, as R's model.matrix does);
# interactions (factor x factor, numeric x log10); survfit and survdiff by text columns.
# Run from tests/reference: Rscript r/formula_cox.R
source(file.path("r", "cox_common.R"))
options(width = 250)  # printed summaries unwrapped
set.seed(20260301)
n <- 600
# Labels chosen so that R's locale collation and plain code-point order agree.
lev <- c("B-other", "BCR-ABL1", "ETV6-RUNX1", "high-hyperdiploid")
d <- data.frame(
  id = sprintf("SIM-%04d", seq_len(n)),
  centre = sample(1:30, n, replace = TRUE),
  sex = sample(c("F", "M"), n, replace = TRUE),
  subtype = sample(lev, n, replace = TRUE, prob = c(0.3, 0.1, 0.25, 0.35)),
  age = round(runif(n, 1, 18), 1),
  mrd_eoi = signif(10^rnorm(n, -3.5, 1.1), 4)
)
beta_sub <- c(0, 0.9, -0.5, -0.3)[match(d$subtype, lev)]
lp <- 0.03 * d$age + beta_sub + 0.35 * log10(d$mrd_eoi) + 0.2 * (d$sex == "M")
t_ev <- rexp(n, 0.25 * exp(lp))
cens <- runif(n, 0.5, 8)
d$time <- round(pmin(t_ev, cens), 3)
d$event <- as.integer(t_ev <= cens)
# a second MRD value with missing entries, and a subtype column with missing entries; the level
# "rare" occurs only in rows whose mrd_d29 is missing
d$mrd_d29 <- signif(d$mrd_eoi * 10^rnorm(n, -0.5, 0.5), 4)
d$mrd_d29[sample(n, 40)] <- NA
d$subtype_na <- d$subtype
d$subtype_na[sample(which(!is.na(d$mrd_d29)), 15)] <- NA
d$subtype_na[which(is.na(d$mrd_d29))[1:3]] <- "rare"
path <- write_input(d, "formula_cox")

# R's standard summaries of a fit: summary(fit) numbers and confint()
cox_numbers <- function(fit) {
  s <- summary(fit)
  out <- cox_summary(fit)
  out$coefficients <- unname(s$coefficients)
  out$coefficient_columns <- colnames(s$coefficients)
  out$conf_int <- unname(s$conf.int)
  out$conf_int_90 <- unname(summary(fit, conf.int = 0.90)$conf.int)
  out$confint <- unname(confint(fit))
  out$confint_90 <- unname(confint(fit, level = 0.90))
  out$logtest <- unname(s$logtest)
  out$waldtest <- unname(s$waldtest)
  out$sctest <- unname(s$sctest)
  out$robscore <- if (is.null(s$robscore)) NA else unname(s$robscore)
  out$summary_concordance <- unname(s$concordance)
  out$printed <- capture.output(print(s))  # R's printed summary, one string per line
  out$n_deleted <- if (is.null(fit$na.action)) 0L else length(fit$na.action)
  out$deleted_rows <- if (is.null(fit$na.action)) NA else unname(as.integer(fit$na.action))
  out
}

f_main <- Surv(time, event) ~ age + subtype + log10(mrd_eoi) + strata(sex) + cluster(centre)
fit_main <- coxph(f_main, data = d)
d_rel <- d
d_rel$subtype <- relevel(factor(d$subtype), ref = "ETV6-RUNX1")
fit_relevel <- coxph(f_main, data = d_rel)
fit_breslow <- coxph(f_main, data = d, ties = "breslow")
fit_plain <- coxph(Surv(time, event) ~ age + subtype + log10(mrd_eoi), data = d)
fit_na <- coxph(Surv(time, event) ~ age + subtype_na + log10(mrd_d29), data = d)
# treatment contrasts inside interactions: factor x factor and numeric x transformed numeric
fit_inter <- coxph(Surv(time, event) ~ age + subtype * sex + age:log10(mrd_eoi), data = d)

# survfit / survdiff formula wrappers: Kaplan-Meier by a text column, log-rank with strata()
km_times <- c(1, 2, 4)
km <- summary(survfit(Surv(time, event) ~ sex, data = d), times = km_times)
km2 <- summary(survfit(Surv(time, event) ~ sex + subtype, data = d), times = km_times)
km_list <- function(s) list(strata = as.character(s$strata), time = s$time, surv = s$surv,
                            std_err = s$std.err, lower = s$lower, upper = s$upper,
                            n_risk = s$n.risk)
sd <- survdiff(Surv(time, event) ~ subtype + strata(sex), data = d)
rsum <- function(m) if (is.matrix(m)) unname(rowSums(m)) else unname(m)

new <- data.frame(age = c(4, 12, 16), subtype = c("ETV6-RUNX1", "BCR-ABL1", "B-other"),
                  mrd_eoi = c(1e-5, 2e-3, 1e-4))
times <- c(0.5, 1, 2, 4)
sf <- summary(survfit(fit_plain, newdata = new), times = times, extend = TRUE)
plp <- predict(fit_plain, newdata = new, type = "lp", se.fit = TRUE)
prisk <- predict(fit_plain, newdata = new, type = "risk", se.fit = TRUE)

res <- list(
  levels = levels(factor(d$subtype)),
  main = c(cox_numbers(fit_main), list(n_clusters = length(unique(d$centre)))),
  relevel = cox_numbers(fit_relevel),
  breslow = cox_numbers(fit_breslow),
  plain = cox_numbers(fit_plain),
  na_omit = c(cox_numbers(fit_na), list(levels = levels(factor(na.omit(d[, c("age", "subtype_na", "mrd_d29")])$subtype_na)))),
  newdata = lapply(new, identity),
  predict_times = times,
  predict_survival = list(surv = unname(sf$surv), std_err = unname(sf$std.err),
                          lower = unname(sf$lower), upper = unname(sf$upper)),
  predict_lp = list(fit = unname(plp$fit), se = unname(plp$se.fit)),
  predict_risk = list(fit = unname(prisk$fit), se = unname(prisk$se.fit)),
  interaction = cox_numbers(fit_inter),
  km_times = km_times,
  km_sex = km_list(km),
  km_sex_subtype = km_list(km2),
  logrank = list(groups = names(sd$n), n = unname(as.integer(sd$n)), observed = rsum(sd$obs),
                 expected = rsum(sd$exp), chisq = sd$chisq, df = length(sd$n) - 1L)
)
prov <- provenance(paste(
  "coxph(Surv(time, event) ~ age + subtype + log10(mrd_eoi) + strata(sex) + cluster(centre), d)",
  "[ties = 'breslow'; relevel(subtype, 'ETV6-RUNX1')]; coxph(~ age + subtype + log10(mrd_eoi));",
  "coxph(~ age + subtype_na + log10(mrd_d29)) with na.omit; summary(), confint(), survfit(newdata),",
  "predict(newdata); coxph(~ age + subtype * sex + age:log10(mrd_eoi));",
  "summary(survfit(Surv(time, event) ~ sex [+ subtype]), times); survdiff(~ subtype + strata(sex));",
  "synthetic SIM- cohort"), path)
write_expected("formula_cox", prov, res)
