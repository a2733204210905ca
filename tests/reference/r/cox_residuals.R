# residuals.coxph for every type on committed inputs (read back from data/, hashes recorded):
# lung (Efron; Breslow with case weights; the exact fit of cox_exact_lung), veteran stratified,
# heart (start, stop] and colon collapsed per patient (cluster = id).
source(file.path("r", "cox_common.R"))
rd <- function(name) read.csv(file.path("data", paste0(name, ".csv")))
lung_d <- rd("cox_lung"); vet <- rd("cox_veteran"); hrt <- rd("cox_heart")
col <- rd("cox_cluster_colon"); ex <- rd("cox_exact_lung")
types <- c("martingale", "deviance", "score", "schoenfeld", "scaledsch", "dfbeta", "dfbetas")
all_res <- function(fit, kinds = types) {
  out <- lapply(kinds, function(k) unname(as.matrix(residuals(fit, type = k))))
  names(out) <- kinds
  out$schoenfeld_time <- if ("schoenfeld" %in% kinds)
    as.numeric(rownames(as.matrix(residuals(fit, type = "schoenfeld")))) else NA
  out
}
f_lung <- coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, lung_d)
f_lung_bw <- coxph(Surv(time, event) ~ age + sex + ph.ecog, lung_d, weights = w,
                   ties = "breslow")
f_vet <- coxph(Surv(time, event) ~ trt2 + karno + age + strata(stratum), vet)
f_hrt <- coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, hrt)
f_col <- coxph(Surv(time, event) ~ lev + lev5fu + extent + node4 + strata(etype), col,
               cluster = id)
f_ex <- coxph(Surv(month, event) ~ age + sex + ph.ecog, ex, ties = "exact")
res <- list(
  lung = all_res(f_lung),
  lung_breslow_weights = c(all_res(f_lung_bw), list(
    martingale_weighted = unname(residuals(f_lung_bw, type = "martingale", weighted = TRUE)),
    score_weighted = unname(residuals(f_lung_bw, type = "score", weighted = TRUE)),
    dfbeta_unweighted = unname(residuals(f_lung_bw, type = "dfbeta", weighted = FALSE)),
    schoenfeld_weighted = unname(residuals(f_lung_bw, type = "schoenfeld", weighted = TRUE)))),
  veteran_strata = all_res(f_vet),
  heart = all_res(f_hrt),
  colon_collapsed = lapply(c(martingale = "martingale", deviance = "deviance", score = "score",
                             dfbeta = "dfbeta", dfbetas = "dfbetas"),
                           function(k) unname(as.matrix(residuals(f_col, type = k,
                                                                  collapse = col$id)))),
  exact = all_res(f_ex, c("martingale", "deviance"))
)
ins <- c("cox_lung", "cox_veteran", "cox_heart", "cox_cluster_colon", "cox_exact_lung")
extra <- setNames(lapply(ins, function(i) sha256_file(file.path("data", paste0(i, ".csv")))),
                  paste0(ins, "_sha256"))
prov <- provenance("residuals(coxph(...), type = martingale | deviance | score | schoenfeld | scaledsch | dfbeta | dfbetas [, weighted, collapse])",
                   file.path("data", "cox_lung.csv"), extra)
write_expected("cox_residuals", prov, res)
