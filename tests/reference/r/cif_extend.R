# Values past a group's follow-up: cmprsk::timepoints gives NA after the group's largest
# follow-up time (censored or not) and the value exactly at it. Seeded cohort with three groups
# whose follow-up ends at different times, one of them on a censoring. The query times include
# each group's last time, a point just after it and times far beyond.
# Run from tests/reference: Rscript r/cif_extend.R
source("r/_common.R")
suppressPackageStartupMessages(library(cmprsk))

set.seed(20261125)
n <- 240
grp <- rep(c("a", "b", "c"), each = n / 3)
end <- c(a = 30, b = 45, c = 60)[grp]
time <- pmin(ceiling(rexp(n, 1 / 25)), end)
cause <- ifelse(time >= end, 0L, sample(1:2, n, replace = TRUE, prob = c(0.6, 0.4)))
cause[runif(n) < 0.2] <- 0L
d <- data.frame(time = time, cause = cause, group = grp)
path <- write_input(d, "cif_extend_sim")
last <- tapply(d$time, d$group, max)
times <- sort(unique(c(5, 20, last, last + 0.5, 100)))
fit <- cuminc(d$time, d$cause, group = d$group)
tp <- timepoints(fit, times)
res <- list(last = as.list(last), times = times,
            est = lapply(seq_len(nrow(tp$est)), function(i) unname(tp$est[i, ])),
            var = lapply(seq_len(nrow(tp$var)), function(i) unname(tp$var[i, ])),
            names = rownames(tp$est))
write_expected("cif_extend_sim",
               provenance("timepoints(cuminc(time, cause, group), times)", path), res)
