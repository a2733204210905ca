# Harrell's C with R's concordance(): risk scores (reverse = TRUE), ties in score and in time,
# strata, on survival::lung and on a seeded simulated cohort with heavy ties.
source(file.path("r", "_common.R"))
d <- lung[, c("time", "status", "age", "ph.ecog", "sex")]
d$event <- as.integer(d$status == 2)
d <- na.omit(d[, c("time", "event", "age", "ph.ecog", "sex")])
set.seed(20260105)
n <- 400
sim <- data.frame(time = sample(1:25, n, replace = TRUE), event = rbinom(n, 1, 0.6),
                  score = sample(1:6, n, replace = TRUE), stratum = sample(1:3, n, replace = TRUE))
rownames(d) <- NULL
path <- write_input(d, "concordance_lung")
path2 <- write_input(sim, "concordance_sim")
cc <- function(fit) {
  ct <- fit$count
  list(concordance = unname(fit$concordance), concordant = unname(ct["concordant"]),
       discordant = unname(ct["discordant"]), tied_risk = unname(ct["tied.x"]),
       tied_time = unname(ct["tied.y"]), tied_both = unname(ct["tied.xy"]))
}
cc_strata <- function(fit) {
  ct <- colSums(fit$count)
  list(concordance = unname(fit$concordance), concordant = unname(ct["concordant"]),
       discordant = unname(ct["discordant"]), tied_risk = unname(ct["tied.x"]),
       tied_time = unname(ct["tied.y"]), tied_both = unname(ct["tied.xy"]))
}
res <- list(
  age = cc(concordance(Surv(time, event) ~ age, d, reverse = TRUE)),
  ph_ecog = cc(concordance(Surv(time, event) ~ ph.ecog, d, reverse = TRUE)),
  ph_ecog_strata_sex = cc_strata(concordance(Surv(time, event) ~ ph.ecog + strata(sex), d,
                                             reverse = TRUE)),
  sim = cc(concordance(Surv(time, event) ~ score, sim, reverse = TRUE)),
  sim_strata = cc_strata(concordance(Surv(time, event) ~ score + strata(stratum), sim,
                                     reverse = TRUE))
)
prov <- provenance("concordance(Surv(time, event) ~ score [+ strata(s)], reverse = TRUE)", path,
                   list(input2 = basename(path2), input2_sha256 = sha256_file(path2)))
write_expected("concordance_lung", prov, res)
