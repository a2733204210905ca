# Near-tied times (timefix) for cumulative incidence and Gray's test, on survival::mgus2 with
# time in years computed two ways: men's months / 12, women's months * (1 / 12). Equal months
# then differ in the last bits: 329 distinct floats, 268 after R's aeqSurv merge.
# cmprsk::cuminc has no timefix option and compares times exactly, so the references are:
#   * timefix=True  - survival's multi-state survfit (Surv(time, factor(cause)), timefix = TRUE
#                     by default) for the CIF estimates; cmprsk::cuminc run on the aeqSurv-merged
#                     times for the cmprsk variance and Gray's test (what cuminc would give had
#                     it R's timefix);
#   * timefix=False - cmprsk::cuminc on the raw times.
# The CSV keeps 17 significant digits and R computes on the values read back from it.
# Run from tests/reference: Rscript r/cif_timefix.R
source("r/_common.R")
suppressPackageStartupMessages(library(cmprsk))

# jsonlite writes at most 15 significant digits, too few to tell near-tied times apart: times
# that the tests look values up at are written as strings with 17 digits (exact round trip).
exact <- function(x) sprintf("%.17g", x)
jumps <- function(fit) {
  # cuminc stores each cause-event time twice (before/after the jump); keep the "after" points.
  lapply(fit[names(fit) != "Tests"], function(z) {
    k <- length(z$time)
    idx <- if (k > 3) seq(3, k - 1, by = 2) else integer(0)
    list(time = exact(z$time[idx]), est = z$est[idx], var = z$var[idx])
  })
}
tests <- function(fit) {
  tt <- fit$Tests
  list(cause = as.numeric(rownames(tt)), stat = unname(tt[, "stat"]),
       pv = unname(tt[, "pv"]), df = unname(tt[, "df"]))
}
pstate <- function(fit) {
  one <- function(f) list(time = exact(f$time), pcm = unname(f$pstate[, 2]), death = unname(f$pstate[, 3]))
  if (is.null(fit$strata)) return(one(fit))
  out <- lapply(seq_along(fit$strata), function(i) one(fit[i, ]))
  names(out) <- sub(".*=", "", names(fit$strata))
  out
}

m <- survival::mgus2
months <- ifelse(m$pstat == 0, m$futime, m$ptime)
years <- ifelse(m$sex == "M", months / 12, months * (1 / 12))
d <- data.frame(time = sprintf("%.17g", years), cause = ifelse(m$pstat == 0, 2L * m$death, 1L),
                sex = as.character(m$sex), agegrp = as.integer(m$age >= 70))
path <- file.path("data", "cif_timefix_mgus2.csv")
write.csv(d, path, row.names = FALSE, quote = FALSE)
d <- read.csv(path)
merged <- aeqSurv(Surv(d$time, d$cause > 0))[, 1]
stopifnot(length(unique(d$time)) == 329, length(unique(merged)) == 268)
st <- factor(d$cause, 0:2, labels = c("censor", "pcm", "death"))

res <- list(
  n_distinct_raw = length(unique(d$time)),
  n_distinct_merged = length(unique(merged)),
  survfit_overall = pstate(survfit(Surv(d$time, st) ~ 1)),
  survfit_by_sex = pstate(survfit(Surv(d$time, st) ~ d$sex)),
  merged_by_sex = jumps(cuminc(merged, d$cause, group = d$sex)),
  merged_tests = tests(cuminc(merged, d$cause, group = d$sex)),
  merged_tests_strata = tests(cuminc(merged, d$cause, group = d$sex, strata = d$agegrp)),
  raw_by_sex = jumps(cuminc(d$time, d$cause, group = d$sex)),
  raw_tests = tests(cuminc(d$time, d$cause, group = d$sex)),
  raw_tests_strata = tests(cuminc(d$time, d$cause, group = d$sex, strata = d$agegrp))
)
call <- paste("survfit(Surv(time, factor(cause, 0:2)) ~ 1 | sex) (timefix = TRUE);",
              "cuminc(aeqSurv(Surv(time, cause > 0))[, 1], cause, group = sex[, strata = agegrp]);",
              "cuminc(time, cause, group = sex[, strata = agegrp]) on the raw times")
write_expected("cif_timefix_mgus2", provenance(call, path), res)
