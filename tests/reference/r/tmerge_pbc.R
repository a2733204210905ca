# Counting-process data as survival::tmerge and survSplit build them.
# 1. pbc + pbcseq (the survival "timedep" vignette): baseline rows of the 312 trial patients,
#    death = event(time, status), then five lab values as tdc(day, value) and the number of
#    visits as cumtdc(day). pbcseq has missing lab values (ignored by tdc, as R documents).
# 2. A synthetic MRD cohort: MRD (log10) measured on sample days as a time-dependent covariate
#    with an initial value, relapse as an added event (ties, events on split points, events
#    outside follow-up).
# 3. survSplit of survival::veteran at 90 and 180 days with an episode column.
# Run from tests/reference: Rscript r/tmerge_pbc.R
source("r/_common.R")

cols <- function(x, names) lapply(setNames(names, names), function(v) unname(x[[v]]))

base <- subset(survival::pbc, id <= 312, select = c(id, time, status, trt, age))
labs <- survival::pbcseq[, c("id", "day", "ascites", "bili", "albumin", "protime", "alk.phos")]
names(labs)[7] <- "alk_phos"
path <- write_input(base, "tmerge_pbc")
lab_path <- write_input(labs, "tmerge_pbc_labs")
pbc2 <- tmerge(base, base, id = id, death = event(time, status))
pbc2 <- tmerge(pbc2, labs, id = id, ascites = tdc(day, ascites), bili = tdc(day, bili),
               albumin = tdc(day, albumin), protime = tdc(day, protime),
               alk_phos = tdc(day, alk_phos), visits = cumtdc(day))
res <- cols(pbc2, c("id", "tstart", "tstop", "death", "ascites", "bili", "albumin", "protime",
                    "alk_phos", "visits"))
call <- paste("tmerge(base, base, id = id, death = event(time, status)); tmerge(., pbcseq, id = id,",
              "ascites = tdc(day, ascites), ..., alk_phos = tdc(day, alk.phos), visits = cumtdc(day))")
write_expected("tmerge_pbc", provenance(call, path, list(labs_sha256 = sha256_file(lab_path))), res)

set.seed(20261127)
n <- 60
cohort <- data.frame(id = sprintf("SYN-%03d", 1:n), futime = ceiling(runif(n, 20, 1500)),
                     status = rbinom(n, 1, 0.3))
mrd <- data.frame(id = rep(cohort$id, each = 3), day = rep(c(15, 33, 78), n) + sample(-2:2, 3 * n, TRUE),
                  log10_mrd = round(rnorm(3 * n, -3, 1.2), 2))
mrd$log10_mrd[sample(3 * n, 8)] <- NA
mrd$day[5] <- mrd$day[4]  # a tie: two samples on one day (the later row wins)
rel <- data.frame(id = sample(cohort$id, 25, TRUE), day = ceiling(runif(25, -10, 1600)))
rel$day[1:3] <- mrd$day[c(1, 7, 10)]  # relapses on sample days (split points)
path <- write_input(cohort, "tmerge_mrd")
mrd_path <- write_input(mrd, "tmerge_mrd_samples")
rel_path <- write_input(rel, "tmerge_mrd_relapse")
m <- tmerge(cohort, cohort, id = id, death = event(futime, status))
m <- tmerge(m, mrd, id = id, log10_mrd = tdc(day, log10_mrd, 0))
m <- tmerge(m, rel, id = id, relapse = event(day))
res <- cols(m, c("id", "tstart", "tstop", "death", "log10_mrd", "relapse"))
call <- paste("tmerge(cohort, cohort, id = id, death = event(futime, status));",
              "tmerge(., mrd, id = id, log10_mrd = tdc(day, log10_mrd, 0));",
              "tmerge(., rel, id = id, relapse = event(day))")
write_expected("tmerge_mrd",
               provenance(call, path, list(samples_sha256 = sha256_file(mrd_path),
                                           relapse_sha256 = sha256_file(rel_path))),
               res)

v <- survival::veteran[, c("time", "status", "trt", "karno")]
path <- write_input(v, "tmerge_veteran_split")
s <- survSplit(Surv(time, status) ~ ., data = v, cut = c(90, 180), episode = "tgroup", id = "row")
write_expected("tmerge_veteran_split",
               provenance("survSplit(Surv(time, status) ~ ., veteran, cut = c(90, 180), episode = 'tgroup', id = 'row')",
                          path),
               cols(s, c("row", "tstart", "time", "status", "tgroup", "karno")))
