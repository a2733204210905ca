# Cox models with the exact partial likelihood for grouped times (ties = "exact"):
#  * survival::lung (complete cases) with time grouped into months (heavy ties);
#  * survival::veteran grouped into 30-day months, stratified by cell type;
#  * survival::heart, Surv(start, stop, event) grouped into 2-day units (counting process,
#    R's agexact; it enumerates every subset of the risk set, so coarser grouping is too slow).
source(file.path("r", "cox_common.R"))
d <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])
d$event <- as.integer(d$status == 2)
d$month <- ceiling(d$time / 30.4375)
d <- d[, c("month", "event", "age", "sex", "ph.ecog")]
rownames(d) <- NULL
path <- write_input(d, "cox_exact_lung")
v <- veteran
v$event <- v$status
v$trt2 <- as.integer(v$trt == 2)
v$stratum <- as.integer(v$celltype)
v$month <- ceiling(v$time / 30)
v <- v[, c("month", "event", "trt2", "karno", "age", "stratum")]
path2 <- write_input(v, "cox_exact_veteran")
h <- heart[, c("start", "stop", "event", "age", "surgery", "transplant")]
h$transplant <- as.integer(as.character(h$transplant))
h$mstart <- floor(h$start / 2)
h$mstop <- ceiling(h$stop / 2)
h <- h[h$mstop > h$mstart, c("mstart", "mstop", "event", "age", "surgery", "transplant")]
rownames(h) <- NULL
path3 <- write_input(h, "cox_exact_heart")
hfit <- coxph(Surv(mstart, mstop, event) ~ age + surgery + transplant, h, ties = "exact")
# survival 3.5-3 leaves the agexact fit without its class (basehaz() then refuses it)
if (!inherits(hfit, "coxph")) class(hfit) <- "coxph"
res <- list(
  lung = cox_summary(coxph(Surv(month, event) ~ age + sex + ph.ecog, d, ties = "exact")),
  lung_efron = cox_summary(coxph(Surv(month, event) ~ age + sex + ph.ecog, d)),
  veteran_strata = cox_summary(coxph(Surv(month, event) ~ trt2 + karno + age + strata(stratum), v,
                                     ties = "exact")),
  heart = cox_summary(hfit)
)
prov <- provenance("coxph(Surv(month, event) ~ ..., ties = 'exact') on grouped lung, veteran (strata), heart (start, stop]",
                   path, list(input2 = basename(path2), input2_sha256 = sha256_file(path2),
                              input3 = basename(path3), input3_sha256 = sha256_file(path3)))
write_expected("cox_exact", prov, res)
