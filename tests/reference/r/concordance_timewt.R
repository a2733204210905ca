# Concordance with its standard error and R's time weightings (timewt = n, S, S/G, n/G2, I),
# ymax, case weights, strata, clusters and counting-process data.
#  * survival::lung (complete cases) with a seeded fractional weight and cluster id;
#  * survival::heart (Surv(start, stop, event)) with the patient id as cluster.
source(file.path("r", "_common.R"))
d <- na.omit(lung[, c("time", "status", "age", "ph.ecog", "sex", "inst")])
d$event <- as.integer(d$status == 2)
set.seed(20260204)
d$w <- round(runif(nrow(d), 0.5, 2), 2)
d <- d[, c("time", "event", "age", "ph.ecog", "sex", "inst", "w")]
rownames(d) <- NULL
path <- write_input(d, "concordance_timewt_lung")
h <- heart[, c("start", "stop", "event", "age", "id")]
rownames(h) <- NULL
path2 <- write_input(h, "concordance_timewt_heart")
cc <- function(fit) {
  ct <- if (is.matrix(fit$count)) colSums(fit$count) else fit$count
  list(concordance = unname(fit$concordance), concordant = unname(ct["concordant"]),
       discordant = unname(ct["discordant"]), tied_risk = unname(ct["tied.x"]),
       tied_time = unname(ct["tied.y"]), tied_both = unname(ct["tied.xy"]),
       std_err = sqrt(unname(fit$var)))
}
tw <- c(n = "n", S = "S", SG = "S/G", nG2 = "n/G2", I = "I")
res <- list(
  age = lapply(tw, function(t) cc(concordance(Surv(time, event) ~ age, d, reverse = TRUE,
                                              timewt = t))),
  ecog_weights = lapply(tw, function(t) cc(concordance(Surv(time, event) ~ ph.ecog, d,
                                                       weights = w, reverse = TRUE, timewt = t))),
  ecog_strata = lapply(tw, function(t) cc(concordance(Surv(time, event) ~ ph.ecog + strata(sex), d,
                                                      reverse = TRUE, timewt = t))),
  age_ymax = lapply(tw, function(t) cc(concordance(Surv(time, event) ~ age, d, reverse = TRUE,
                                                   timewt = t, ymax = 400))),
  age_cluster = cc(concordance(Surv(time, event) ~ age, d, cluster = inst, reverse = TRUE)),
  # timewt "S" and "I" with (start, stop] data crash R 3.5-3 (segfault in fastkm2): "n" only
  heart = cc(concordance(Surv(start, stop, event) ~ age, h, reverse = TRUE)),
  heart_cluster = cc(concordance(Surv(start, stop, event) ~ age, h, cluster = id, reverse = TRUE))
)
prov <- provenance("concordance(Surv(time, event) ~ x [+ strata(s)], weights, cluster, timewt, ymax, reverse = TRUE)",
                   path, list(input2 = basename(path2), input2_sha256 = sha256_file(path2)))
write_expected("concordance_timewt", prov, res)
