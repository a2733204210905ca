# cox.zph on survival::veteran: unweighted, case-weighted, and stratified by cell type.
source(file.path("r", "_common.R"))
d <- veteran
d$event <- d$status
d$trt2 <- as.integer(d$trt == 2)
d$stratum <- as.integer(d$celltype)
set.seed(20260104)
d$w <- as.numeric(sample(1:3, nrow(d), replace = TRUE))
d <- d[, c("time", "event", "trt2", "karno", "age", "prior", "stratum", "w")]
path <- write_input(d, "zph_veteran")
zph_all <- function(fit) {
  lapply(c(km = "km", rank = "rank", identity = "identity"), function(tr) {
    tb <- cox.zph(fit, transform = tr)$table
    k <- nrow(tb)
    list(terms = rownames(tb)[-k], statistic = unname(tb[-k, "chisq"]),
         df = unname(tb[-k, "df"]), p_value = unname(tb[-k, "p"]),
         global_statistic = unname(tb[k, "chisq"]), global_df = unname(tb[k, "df"]),
         global_p_value = unname(tb[k, "p"]))
  })
}
res <- list(
  efron = zph_all(coxph(Surv(time, event) ~ trt2 + karno + age + prior, d)),
  weights = zph_all(coxph(Surv(time, event) ~ trt2 + karno + age + prior, d, weights = w)),
  strata = zph_all(coxph(Surv(time, event) ~ trt2 + karno + age + strata(stratum), d))
)
prov <- provenance("cox.zph(coxph(...), transform = km | rank | identity) on veteran", path)
write_expected("zph_veteran", prov, res)
