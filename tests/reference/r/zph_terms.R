# cox.zph with multi-column terms tested as one (terms = TRUE, the default), and singledf:
#  * survival::veteran: celltype as a factor (3 treatment-contrast columns) + karno + age;
#  * survival::lung: ph.ecog as a factor (0, 1, 2+; 2 columns) + age + sex, Breslow.
# The design columns (R's model.matrix) are written to the CSV.
source(file.path("r", "_common.R"))
v <- veteran
v$event <- v$status
mm <- model.matrix(~ celltype + karno + age, v)[, -1]
colnames(mm) <- c("smallcell", "adeno", "large", "karno", "age")
dv <- data.frame(time = v$time, event = v$event, mm)
path <- write_input(dv, "zph_terms_veteran")
l <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])
l$ecog <- factor(pmin(l$ph.ecog, 2))
l$event <- as.integer(l$status == 2)
ml <- model.matrix(~ ecog + age + sex, l)[, -1]
colnames(ml) <- c("ecog1", "ecog2", "age", "sex")
dl <- data.frame(time = l$time, event = l$event, ml)
path2 <- write_input(dl, "zph_terms_lung")
tab <- function(z) {
  tb <- z$table
  k <- nrow(tb)
  list(terms = rownames(tb)[-k], statistic = unname(tb[-k, "chisq"]), df = unname(tb[-k, "df"]),
       p_value = unname(tb[-k, "p"]), global_statistic = unname(tb[k, "chisq"]),
       global_df = unname(tb[k, "df"]), global_p_value = unname(tb[k, "p"]))
}
fv <- coxph(Surv(time, status) ~ celltype + karno + age, veteran)
fl <- coxph(Surv(time, event) ~ ecog + age + sex, l, ties = "breslow")
res <- list(
  veteran = lapply(c(km = "km", rank = "rank", identity = "identity"),
                   function(tr) tab(cox.zph(fv, transform = tr))),
  veteran_singledf = tab(cox.zph(fv, singledf = TRUE)),
  veteran_columns = tab(cox.zph(fv, terms = FALSE)),
  lung = tab(cox.zph(fl)),
  lung_singledf = tab(cox.zph(fl, singledf = TRUE))
)
prov <- provenance("cox.zph(coxph(Surv(time, status) ~ celltype + karno + age, veteran), transform, terms, singledf); cox.zph(coxph(Surv(time, event) ~ factor(ph.ecog) + age + sex, lung, ties = 'breslow'))",
                   path, list(input2 = basename(path2), input2_sha256 = sha256_file(path2)))
write_expected("zph_terms", prov, res)
