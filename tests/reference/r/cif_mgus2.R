# Aalen-Johansen CIF (cmprsk::cuminc) and Gray's test on survival::mgus2, coded as in the
# survival "compete" vignette: progression (pstat = 1) is cause 1, death before progression
# is cause 2, otherwise censored; time is ptime for progression, futime otherwise.
# Also a seeded simulated cohort with heavy ties, 3 causes, 3 groups and 2 strata.
# Run from tests/reference: Rscript r/cif_mgus2.R
source("r/_common.R")
suppressPackageStartupMessages(library(cmprsk))

jumps <- function(fit) {
  # cuminc stores each cause-event time twice (before/after the jump); keep the "after" points.
  lapply(fit[names(fit) != "Tests"], function(z) {
    k <- length(z$time)
    idx <- if (k > 3) seq(3, k - 1, by = 2) else integer(0)
    list(time = z$time[idx], est = z$est[idx], var = z$var[idx])
  })
}
tests <- function(fit) {
  tt <- fit$Tests
  list(cause = as.numeric(rownames(tt)), stat = unname(tt[, "stat"]),
       pv = unname(tt[, "pv"]), df = unname(tt[, "df"]))
}

m <- survival::mgus2
d <- data.frame(time = ifelse(m$pstat == 0, m$futime, m$ptime),
                cause = ifelse(m$pstat == 0, 2L * m$death, 1L),
                sex = as.character(m$sex),
                agegrp = as.integer(m$age >= 70))
path <- write_input(d, "cif_mgus2")
f0 <- cuminc(d$time, d$cause)
f1 <- cuminc(d$time, d$cause, group = d$sex)
f2 <- cuminc(d$time, d$cause, group = d$sex, strata = d$agegrp)
f3 <- cuminc(d$time, d$cause, group = d$sex, rho = 1)
tp <- timepoints(f1, c(12, 60, 120, 240))
res <- list(overall = jumps(f0), by_sex = jumps(f1), tests = tests(f1),
            tests_strata = tests(f2), tests_rho1 = tests(f3),
            timepoints = list(times = c(12, 60, 120, 240),
                              est = lapply(seq_len(nrow(tp$est)), function(i) unname(tp$est[i, ])),
                              var = lapply(seq_len(nrow(tp$var)), function(i) unname(tp$var[i, ])),
                              names = rownames(tp$est)))
call <- paste("cuminc(time, cause); cuminc(time, cause, group = sex);",
              "cuminc(..., strata = agegrp); cuminc(..., rho = 1); timepoints(fit, times)")
write_expected("cif_mgus2", provenance(call, path), res)

set.seed(19880901)
n <- 600
grp <- sample(c("a", "b", "c"), n, replace = TRUE)
str <- sample(1:2, n, replace = TRUE)
rate <- c(a = 1 / 40, b = 1 / 30, c = 1 / 25)[grp]
time <- pmin(ceiling(rexp(n, rate)), sample(20:120, n, replace = TRUE))
cause <- ifelse(time == ceiling(rexp(n, rate)), 0L, sample(1:3, n, replace = TRUE, prob = c(.5, .3, .2)))
cens <- runif(n) < 0.25
cause[cens] <- 0L
time[1:4] <- 0; cause[1:4] <- c(1L, 2L, 0L, 1L)
s <- data.frame(time = time, cause = cause, group = grp, strata = str)
path <- write_input(s, "cif_sim")
g1 <- cuminc(s$time, s$cause, group = s$group)
g2 <- cuminc(s$time, s$cause, group = s$group, strata = s$strata)
g3 <- cuminc(s$time, s$cause, group = s$group, strata = s$strata, rho = 0.5)
res <- list(by_group = jumps(g1), tests = tests(g1), tests_strata = tests(g2),
            tests_strata_rho05 = tests(g3))
call <- "cuminc(time, cause, group); cuminc(..., strata = strata); cuminc(..., strata, rho = 0.5)"
write_expected("cif_sim", provenance(call, path), res)
