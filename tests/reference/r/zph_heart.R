# cox.zph on a counting-process fit, Surv(start, stop, event), on survival::heart.
source(file.path("r", "_common.R"))
d <- heart[, c("start", "stop", "event", "age", "year", "surgery", "transplant")]
d$transplant <- as.integer(as.character(d$transplant))
rownames(d) <- NULL
path <- write_input(d, "zph_heart")
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
  efron = zph_all(coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, d)),
  strata = zph_all(coxph(Surv(start, stop, event) ~ age + year + transplant + strata(surgery), d))
)
prov <- provenance("cox.zph(coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, heart), transform = km | rank | identity)", path)
write_expected("zph_heart", prov, res)
