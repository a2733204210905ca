# Cox models on survival::veteran: dummies for celltype, and a fit stratified by celltype.
source(file.path("r", "cox_common.R"))
d <- veteran
d$event <- d$status
d$squamous <- as.integer(d$celltype == "squamous")
d$smallcell <- as.integer(d$celltype == "smallcell")
d$adeno <- as.integer(d$celltype == "adeno")
d$stratum <- as.integer(d$celltype)
d$trt2 <- as.integer(d$trt == 2)
d <- d[, c("time", "event", "trt2", "karno", "diagtime", "age", "prior", "squamous",
           "smallcell", "adeno", "stratum")]
path <- write_input(d, "cox_veteran")
fits <- list(
  efron = coxph(Surv(time, event) ~ trt2 + karno + diagtime + age + prior + squamous +
                  smallcell + adeno, d),
  breslow = coxph(Surv(time, event) ~ trt2 + karno + diagtime + age + prior + squamous +
                    smallcell + adeno, d, ties = "breslow"),
  strata = coxph(Surv(time, event) ~ trt2 + karno + age + strata(stratum), d),
  strata_robust = coxph(Surv(time, event) ~ trt2 + karno + age + strata(stratum), d,
                        robust = TRUE),
  strata_aliased = coxph(Surv(time, event) ~ trt2 + karno + squamous + strata(stratum), d)
)
res <- lapply(fits, cox_summary)
prov <- provenance("coxph(Surv(time, event) ~ ..., veteran; see script)", path)
write_expected("cox_veteran", prov, res)
