# cox.zph (survival 3.x score tests) on survival::lung, Efron and Breslow fits.
source(file.path("r", "_common.R"))
d <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog", "wt.loss")])
d$event <- as.integer(d$status == 2)
d <- d[, c("time", "event", "age", "sex", "ph.ecog", "wt.loss")]
rownames(d) <- NULL
path <- write_input(d, "zph_lung")
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
  efron = zph_all(coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, d)),
  breslow = zph_all(coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, d, ties = "breslow"))
)
prov <- provenance("cox.zph(coxph(Surv(time, event) ~ age + sex + ph.ecog + wt.loss, lung), transform = km | rank | identity)", path)
write_expected("zph_lung", prov, res)
