# The formula interface on counting-process data: survival::heart (Stanford heart transplant,
# several (start, stop] rows per patient) with Surv(start, stop, event), a factor (transplant),
# cluster(id) and an offset() expression.
# Run from tests/reference: Rscript r/formula_heart.R
source(file.path("r", "cox_common.R"))
h <- heart
h$transplant <- as.integer(as.character(h$transplant))
rownames(h) <- NULL
path <- write_input(h, "formula_heart")
numbers <- function(fit) {
  s <- summary(fit)
  c(cox_summary(fit), list(
    coefficients = unname(s$coefficients), conf_int = unname(s$conf.int),
    confint = unname(confint(fit)), logtest = unname(s$logtest), waldtest = unname(s$waldtest),
    sctest = unname(s$sctest), robscore = if (is.null(s$robscore)) NA else unname(s$robscore),
    n_clusters = length(unique(h$id))))
}
hf <- h
hf$transplant <- factor(hf$transplant)
f <- Surv(start, stop, event) ~ age + year + surgery + transplant + cluster(id)
res <- list(
  cluster = numbers(coxph(f, data = hf)),
  cluster_breslow = numbers(coxph(f, data = hf, ties = "breslow")),
  cluster_offset = numbers(coxph(update(f, . ~ . + offset(0.01 * age)), data = hf))
)
prov <- provenance(
  "coxph(Surv(start, stop, event) ~ age + year + surgery + factor(transplant) + cluster(id) [+ offset(0.01 * age)], heart) [ties = 'breslow']",
  path)
write_expected("formula_heart", prov, res)
