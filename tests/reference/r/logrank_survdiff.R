# G-rho log-rank tests (survival::survdiff) on lung, veteran, colon, pbc and a seeded simulated
# cohort with heavy ties: rho = 0 and 1, k groups, stratified.
# Run from tests/reference: Rscript r/logrank_survdiff.R
source("r/_common.R")

one <- function(fit) {
  list(chisq = fit$chisq, df = length(fit$n) - 1 - sum(rowSums(as.matrix(fit$exp)) == 0),
       pvalue = fit$pvalue,
       obs = unname(if (is.matrix(fit$obs)) rowSums(fit$obs) else fit$obs),
       exp = unname(if (is.matrix(fit$exp)) rowSums(fit$exp) else fit$exp))
}
run <- function(name, d, specs) {
  path <- write_input(d, name)
  res <- lapply(specs, function(f) one(eval(f)))
  call <- paste(vapply(specs, function(f) paste(deparse(f), collapse = ""), ""), collapse = "; ")
  write_expected(name, provenance(call, path), res)
}

l <- survival::lung
run("logrank_lung", data.frame(time = l$time, status = l$status - 1L, sex = l$sex, ph_ecog = l$ph.ecog),
    list(rho0 = quote(survdiff(Surv(time, status) ~ sex, data = d)),
         rho1 = quote(survdiff(Surv(time, status) ~ sex, data = d, rho = 1)),
         ecog = quote(survdiff(Surv(time, status) ~ ph_ecog, data = d[!is.na(d$ph_ecog), ]))))
v <- survival::veteran
run("logrank_veteran", data.frame(time = v$time, status = v$status, celltype = as.integer(v$celltype),
                                  trt = v$trt),
    list(k4 = quote(survdiff(Surv(time, status) ~ celltype, data = d)),
         k4_strata = quote(survdiff(Surv(time, status) ~ celltype + strata(trt), data = d)),
         k4_strata_rho1 = quote(survdiff(Surv(time, status) ~ celltype + strata(trt), data = d, rho = 1))))
co <- survival::colon[survival::colon$etype == 2, ]
run("logrank_colon", data.frame(time = co$time, status = co$status, rx = as.integer(co$rx), sex = co$sex,
                                differ = co$differ),
    list(rx = quote(survdiff(Surv(time, status) ~ rx, data = d)),
         rx_strata_sex = quote(survdiff(Surv(time, status) ~ rx + strata(sex), data = d)),
         rx_rho1 = quote(survdiff(Surv(time, status) ~ rx, data = d, rho = 1))))
p <- survival::pbc[!is.na(survival::pbc$trt), ]
run("logrank_pbc", data.frame(time = p$time, status = as.integer(p$status == 2), trt = p$trt,
                              stage = p$stage, edema = p$edema),
    list(trt = quote(survdiff(Surv(time, status) ~ trt, data = d)),
         trt_strata_edema = quote(survdiff(Surv(time, status) ~ trt + strata(edema), data = d)),
         stage_strata_edema_rho1 = quote(survdiff(Surv(time, status) ~ stage + strata(edema), data = d, rho = 1))))
set.seed(1990)
n <- 500
g <- sample(1:4, n, replace = TRUE)
s <- sample(1:3, n, replace = TRUE)
tm <- ceiling(rexp(n, c(1 / 20, 1 / 25, 1 / 30, 1 / 22)[g]) / 3)
st <- rbinom(n, 1, 0.75)
tm[1:5] <- 0
st[1:5] <- 1
g[6] <- 5  # a group with a single subject
run("logrank_sim", data.frame(time = tm, status = st, group = g, strata = s),
    list(k5 = quote(survdiff(Surv(time, status) ~ group, data = d)),
         k5_strata = quote(survdiff(Surv(time, status) ~ group + strata(strata), data = d)),
         k5_strata_rho1 = quote(survdiff(Surv(time, status) ~ group + strata(strata), data = d, rho = 1)),
         k5_rho05 = quote(survdiff(Surv(time, status) ~ group, data = d, rho = 0.5))))
