# Cox models with an offset (a known term in the linear predictor), read back from data/:
# lung (Efron, offset 0.0134 * age) and heart ((start, stop], offset 0.03 * age, Breslow).
# basehaz(fit, centered = FALSE) is at covariates 0 and the mean offset; the mean offset is
# recorded so the test can move it to offset 0 (mrdguide's baseline).
source(file.path("r", "cox_common.R"))
rd <- function(name) read.csv(file.path("data", paste0(name, ".csv")))
l <- rd("cox_lung"); h <- rd("cox_heart")
l$off <- 0.0134 * l$age
h$off <- 0.03 * h$age
fl <- coxph(Surv(time, event) ~ sex + ph.ecog + wt.loss + offset(off), l)
fh <- coxph(Surv(start, stop, event) ~ year + surgery + transplant + offset(off), h,
            ties = "breslow")
res <- list(
  lung = c(cox_summary(fl), list(offset_mean = mean(l$off),
                                 lp = unname(predict(fl, type = "lp")))),
  heart = c(cox_summary(fh), list(offset_mean = mean(h$off),
                                  lp = unname(predict(fh, type = "lp"))))
)
ins <- c("cox_lung", "cox_heart")
extra <- setNames(lapply(ins, function(i) sha256_file(file.path("data", paste0(i, ".csv")))),
                  paste0(ins, "_sha256"))
prov <- provenance("coxph(Surv(time, event) ~ sex + ph.ecog + wt.loss + offset(0.0134 * age), lung); coxph(Surv(start, stop, event) ~ year + surgery + transplant + offset(0.03 * age), heart, ties = 'breslow')",
                   file.path("data", "cox_lung.csv"), extra)
write_expected("cox_offset", prov, res)
