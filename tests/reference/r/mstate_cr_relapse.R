# Multi-state Aalen-Johansen with left truncation: survival's survfit on multi-state counting-
# process data (Surv(tstart, tstop, factor(to)) with id = and istate =), giving state occupancy
# probabilities (pstate) with their infinitesimal-jackknife SE (R's only multi-state variance,
# clustered on id) and log limits. A seeded synthetic cohort in complete remission (CR) moves
# to relapse or to death in CR, and from relapse to death; 30 % enter the cohort late (delayed
# entry), some of them already in relapse. Day-level times give tied transitions. A second fit
# uses fractional case weights; a third plain right-censored competing-risks data without id.
# Run from tests/reference: Rscript r/mstate_cr_relapse.R
source("r/_common.R")

set.seed(20261126)
n <- 300
rel <- ceiling(rexp(n, 1 / 700))
dcr <- ceiling(rexp(n, 1 / 3000))
drel <- ceiling(rexp(n, 1 / 250))
cens <- ceiling(runif(n, 200, 2500))
entry <- ifelse(runif(n) < 0.3, ceiling(runif(n, 1, 400)), 0)
rows <- list()
for (i in seq_len(n)) {
  first <- min(rel[i], dcr[i], cens[i])
  to1 <- if (first == cens[i]) "censor" else if (rel[i] <= dcr[i]) "relapse" else "death"
  if (entry[i] >= first) {
    # entered after leaving CR: only followed if relapsed and still alive at entry
    if (to1 != "relapse" || rel[i] + drel[i] <= entry[i] || cens[i] <= entry[i]) next
    stop2 <- min(rel[i] + drel[i], cens[i])
    rows[[length(rows) + 1]] <- data.frame(id = i, tstart = entry[i], tstop = stop2,
      from = "relapse", to = if (stop2 == cens[i]) "censor" else "death")
    next
  }
  rows[[length(rows) + 1]] <- data.frame(id = i, tstart = entry[i], tstop = first, from = "CR",
                                         to = to1)
  if (to1 == "relapse" && cens[i] > first) {
    stop2 <- min(first + drel[i], cens[i])
    rows[[length(rows) + 1]] <- data.frame(id = i, tstart = first, tstop = stop2,
      from = "relapse", to = if (stop2 == cens[i]) "censor" else "death")
  }
}
d <- do.call(rbind, rows)
d$weight <- round(0.5 + (d$id %% 5) / 3, 3)
path <- write_input(d, "mstate_cr_relapse")

ms <- function(fit) {
  list(states = fit$states, time = fit$time, pstate = unname(fit$pstate),
       std_err = unname(fit$std.err), lower = unname(fit$lower), upper = unname(fit$upper),
       n_risk = unname(fit$n.risk), n_event = unname(fit$n.event), n_censor = fit$n.censor,
       p0 = unname(fit$p0),
       transitions = matrix(as.numeric(fit$transitions), nrow = nrow(fit$transitions)),
       transitions_from = rownames(fit$transitions), transitions_to = colnames(fit$transitions))
}
f <- d
f$to <- factor(d$to, c("censor", "relapse", "death"))
f$from <- factor(d$from, c("CR", "relapse", "death"))
res <- list(
  plain = ms(survfit(Surv(tstart, tstop, to) ~ 1, data = f, id = id, istate = from)),
  weighted = ms(survfit(Surv(tstart, tstop, to) ~ 1, data = f, id = id, istate = from,
                        weights = weight)),
  loglog = ms(survfit(Surv(tstart, tstop, to) ~ 1, data = f, id = id, istate = from,
                      conf.type = "log-log"))
)
# competing risks on the first row only (right-censored, no id): relapse vs death in CR
first <- f[!duplicated(f$id) & f$from == "CR" & f$tstart == 0, ]
res$competing <- ms(survfit(Surv(tstop, to) ~ 1, data = first))
res$competing_rows <- which(!duplicated(d$id) & d$from == "CR" & d$tstart == 0)
call <- paste("survfit(Surv(tstart, tstop, factor(to)) ~ 1, id = id, istate = factor(from)",
              "[, weights = weight | conf.type = 'log-log']); survfit(Surv(tstop, factor(to)) ~ 1)",
              "on the first rows of subjects entering at 0 in CR")
write_expected("mstate_cr_relapse", provenance(call, path), res)
