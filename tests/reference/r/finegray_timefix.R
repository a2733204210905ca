# Fine-Gray with near-tied times. crr compares times exactly; mrdguide merges near ties first
# (timefix = TRUE, R's aeqSurv rule). Reference: crr on the raw times (timefix = FALSE) and crr
# on the aeqSurv-merged times (timefix = TRUE). survival::mgus2, time in years computed two ways
# (months / 12 with months = days / 30.4375 for even rows, days / 365.25 for odd rows).
source(file.path("r", "_common.R"))
suppressPackageStartupMessages(library(cmprsk))
m <- mgus2
m$etime <- ifelse(m$pstat == 0, m$futime, m$ptime)
m$cause <- ifelse(m$pstat == 0, 2L * m$death, 1L)
m$male <- as.integer(m$sex == "M")
d <- na.omit(m[, c("etime", "cause", "age", "male", "hgb", "creat", "mspike")])
rownames(d) <- NULL
odd <- seq_len(nrow(d)) %% 2 == 1
d$years <- ifelse(odd, d$etime / 365.25, (d$etime / 30.4375) / 12)
out <- d
out$years <- sprintf("%.17g", d$years)
path <- write_input(out, "finegray_timefix")
d <- read.csv(path)
X <- as.matrix(d[, c("age", "male", "hgb", "creat", "mspike")])
merged <- aeqSurv(Surv(d$years, d$cause > 0))[, 1]
summ <- function(f) list(coef = unname(f$coef), covariance = unname(f$var),
                         loglik = f$loglik, baseline_time = f$uftime,
                         baseline_cumhaz = cumsum(f$bfitj))
res <- list(
  raw = summ(crr(d$years, d$cause, X)),
  merged = summ(crr(merged, d$cause, X)),
  days = summ(crr(d$etime, d$cause, X)),
  distinct = list(raw = length(unique(d$years)), merged = length(unique(merged)),
                  days = length(unique(d$etime)))
)
prov <- provenance("crr(years | aeqSurv(years) | days, cause, cbind(age, male, hgb, creat, mspike)), mgus2", path)
write_expected("finegray_timefix", prov, res)
