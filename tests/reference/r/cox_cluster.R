# Cluster-robust (grouped sandwich) Cox variance, R's cluster(id):
#  * pbcseq counting-process data built with tmerge (several rows per patient), as in the
#    survival "timedep" vignette;
#  * colon, two rows per patient (recurrence and death, strata(etype)), the WLW marginal model.
source(file.path("r", "cox_common.R"))
temp <- subset(pbc, id <= 312, select = c(id:sex, stage))
pbc2 <- tmerge(temp, temp, id = id, death = event(time, status == 2))
pbc2 <- tmerge(pbc2, pbcseq, id = id, bili = tdc(day, bili), albumin = tdc(day, albumin),
               protime = tdc(day, protime))
d <- data.frame(id = pbc2$id, start = pbc2$tstart, stop = pbc2$tstop, event = as.integer(pbc2$death),
                log_bili = log(pbc2$bili), log_protime = log(pbc2$protime),
                albumin = pbc2$albumin, age = pbc2$age)
d <- na.omit(d)
rownames(d) <- NULL
path <- write_input(d, "cox_cluster_pbcseq")
f <- Surv(start, stop, event) ~ log_bili + log_protime + albumin + age
pfits <- list(
  cluster = coxph(f, d, cluster = id),
  cluster_breslow = coxph(f, d, cluster = id, ties = "breslow"),
  naive = coxph(f, d)
)
c0 <- colon
c0$lev <- as.integer(c0$rx == "Lev")
c0$lev5fu <- as.integer(c0$rx == "Lev+5FU")
c0$event <- c0$status
set.seed(20260201)
c0$w <- sample(1:3, nrow(c0), replace = TRUE)
cd <- na.omit(c0[, c("id", "time", "event", "etype", "lev", "lev5fu", "extent", "node4", "w")])
rownames(cd) <- NULL
path2 <- write_input(cd, "cox_cluster_colon")
g <- Surv(time, event) ~ lev + lev5fu + extent + node4 + strata(etype)
cfits <- list(
  cluster = coxph(g, cd, cluster = id),
  per_row = coxph(g, cd, robust = TRUE),
  cluster_weights = coxph(g, cd, cluster = id, weights = w)
)
res <- list(pbcseq = lapply(pfits, cox_summary), colon = lapply(cfits, cox_summary))
prov <- provenance(
  "coxph(Surv(start, stop, event) ~ log(bili) + log(protime) + albumin + age, pbcseq via tmerge, cluster = id); coxph(Surv(time, status) ~ rx + extent + node4 + strata(etype), colon, cluster = id)",
  path, list(input2 = basename(path2), input2_sha256 = sha256_file(path2)))
write_expected("cox_cluster", prov, res)
