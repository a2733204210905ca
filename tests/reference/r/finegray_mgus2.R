# Fine-Gray regression (cmprsk::crr) on survival::mgus2: progression (1) vs death (2).
source(file.path("r", "_common.R"))
suppressPackageStartupMessages(library(cmprsk))
m <- mgus2
m$etime <- ifelse(m$pstat == 0, m$futime, m$ptime)
m$cause <- ifelse(m$pstat == 0, 2L * m$death, 1L)
m$male <- as.integer(m$sex == "M")
d <- na.omit(m[, c("etime", "cause", "age", "male", "hgb", "creat", "mspike")])
rownames(d) <- NULL
path <- write_input(d, "finegray_mgus2")
X <- as.matrix(d[, c("age", "male", "hgb", "creat", "mspike")])
summ <- function(f, failcode) {
  list(names = names(f$coef), coef = unname(f$coef), covariance = unname(f$var),
       std_err = sqrt(diag(f$var)), loglik = f$loglik, loglik_null = f$loglik.null,
       converged = f$converged, n = f$n, n_events = sum(d$cause == failcode),
       baseline_time = f$uftime, baseline_cumhaz = cumsum(f$bfitj),
       information = unname(f$inf))
}
res <- list(
  progression = summ(crr(d$etime, d$cause, X, failcode = 1), 1),
  death = summ(crr(d$etime, d$cause, X, failcode = 2), 2)
)
prov <- provenance("crr(etime, cause, cbind(age, male, hgb, creat, mspike), failcode = 1 | 2)", path)
write_expected("finegray_mgus2", prov, res)
