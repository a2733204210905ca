"""The printed form of :class:`RegressionSummary` (internal).

Cox summaries print as R's ``print(summary(coxph(...)))`` (survival 3.5) and Fine–Gray
summaries as cmprsk's ``print(summary(crr(...)))``: same blocks, column headers, number
formatting (R's ``options(digits)`` of those methods: 4 for coxph, 3 for crr) and test lines.
Differences: coefficient names are formulaic's (``C(subtype)[T.BCR-ABL1]``), the call is
this package's, quotes in the significance legend are ASCII (R's C locale), and wide tables
are not wrapped at 80 columns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from mrdguide.analysis.formula._rformat import (
    LEGEND,
    coef_matrix,
    format_pval,
    format_real,
    numeric_matrix,
    print_matrix,
    r_signif,
)
from mrdguide.survival import TestResult

__all__ = ["Printable", "render"]

FloatArray = NDArray[np.float64]


class Printable(Protocol):
    """What the printed form reads (:class:`~._summary.RegressionSummary` has it)."""

    @property
    def model(self) -> str: ...
    @property
    def call(self) -> str: ...
    @property
    def names(self) -> tuple[str, ...]: ...
    @property
    def coef(self) -> FloatArray: ...
    @property
    def exp_coef(self) -> FloatArray: ...
    @property
    def std_err(self) -> FloatArray: ...
    @property
    def robust_std_err(self) -> FloatArray | None: ...
    @property
    def z(self) -> FloatArray: ...
    @property
    def p_value(self) -> FloatArray: ...
    @property
    def conf_level(self) -> float: ...
    @property
    def conf_lower(self) -> FloatArray: ...
    @property
    def conf_upper(self) -> FloatArray: ...
    @property
    def n(self) -> int: ...
    @property
    def n_events(self) -> int: ...
    @property
    def n_deleted(self) -> int: ...
    @property
    def concordance(self) -> float | None: ...
    @property
    def concordance_std_err(self) -> float | None: ...
    @property
    def loglik(self) -> float | None: ...
    @property
    def notes(self) -> tuple[str, ...]: ...
    def test(self, label: str) -> TestResult | None: ...


ROBUST_NOTE = (
    "  (Note: the likelihood ratio and score tests assume independence of\n"
    "     observations within a cluster, the Wald and robust score tests do not)."
)


def _num(x: float, digits: int) -> str:
    return format_real([x], digits)[0]


def _pct_label(p: float) -> str:
    """R's ``format(100 * p, digits = 3)`` without trailing zeros: 2.5, 97.5, 5."""
    return f"{100.0 * p:.3g}"


def _coef_lines(s: Printable) -> list[str]:
    cols = [s.coef, s.exp_coef, s.std_err]
    header = ["coef", "exp(coef)", "se(coef)"]
    if s.robust_std_err is not None:
        cols.append(s.robust_std_err)
        header.append("robust se")
    rows, stars = coef_matrix(cols, s.z.tolist(), s.p_value.tolist(), 4)
    header += ["z", "Pr(>|z|)"] + ([""] if stars else [])
    lines = print_matrix(s.names, header, rows)
    return [*lines, "---", LEGEND] if stars else lines


def _test_line(label: str, t: TestResult) -> str:
    stat = _num(round(t.statistic, 2), 4) if math.isfinite(t.statistic) else "NA"
    return f"{label}= {stat}  on {t.df} df,   p={format_pval([t.p_value], 1)[0]}"


def _cox_tail(s: Printable) -> list[str]:
    out = []
    if s.concordance is not None and math.isfinite(s.concordance):
        se = s.concordance_std_err if s.concordance_std_err is not None else math.nan
        out.append(
            f"Concordance= {_num(round(s.concordance, 3), 4)}  (se = {_num(round(se, 3), 4)} )"
        )
    labels = {
        "Likelihood ratio test": "Likelihood ratio test",
        "Wald test": "Wald test            ",
        "Score (logrank) test": "Score (logrank) test ",
    }
    for key, label in labels.items():
        t = s.test(key)
        if t is not None:
            out.append(_test_line(label, t))
    rob = s.test("Robust score test")
    if rob is not None and out:
        stat = _num(round(rob.statistic, 2), 4)
        out[-1] += f",   Robust = {stat}  p={format_pval([rob.p_value], 1)[0]}"
    return out


def _render_cox(s: Printable) -> list[str]:
    lines = ["Call:", s.call, "", f"  n= {s.n}, number of events= {s.n_events} "]
    if s.n_deleted:
        lines.append(f"   ({s.n_deleted} observations deleted due to missingness)")
    lo = f"{round(100.0 * s.conf_level, 2):g}"  # R: paste("lower .", round(100 * level, 2))
    ci_head = ["exp(coef)", "exp(-coef)", f"lower .{lo}", f"upper .{lo}"]
    ci = [s.exp_coef, 1.0 / s.exp_coef, s.conf_lower, s.conf_upper]
    lines += ["", *_coef_lines(s), "", *numeric_matrix(s.names, ci_head, ci, 4), ""]
    lines += _cox_tail(s)
    if s.robust_std_err is not None:
        lines += ["", ROBUST_NOTE]
    return lines + (["", *s.notes] if s.notes else [])


def _render_crr(s: Printable) -> list[str]:
    # summary.crr rounds the p-value to 2 significant digits from 1 - pnorm (which is 0
    # for |z| > 8.3); print.summary.crr prints with options(digits = 3)
    p = [r_signif(2.0 * (1.0 - float(stats.norm.cdf(abs(z)))), 2) for z in s.z.tolist()]
    coef: list[Iterable[float]] = [s.coef, s.exp_coef, s.std_err, s.z, p]
    a = (1.0 - s.conf_level) / 2.0
    ci = [s.exp_coef, 1.0 / s.exp_coef, s.conf_lower, s.conf_upper]
    ci_head = ["exp(coef)", "exp(-coef)", f"{_pct_label(a)}%", f"{_pct_label(1.0 - a)}%"]
    cases = f"Num. cases = {s.n}"
    if s.n_deleted:
        cases += f" ({s.n_deleted} cases omitted due to missing values)"
    lr = s.test("Pseudo likelihood ratio test")
    lines = ["Competing Risks Regression", "", "Call:", s.call, ""]
    lines += numeric_matrix(s.names, ["coef", "exp(coef)", "se(coef)", "z", "p-value"], coef, 3)
    lines += ["", *numeric_matrix(s.names, ci_head, ci, 3), "", cases]
    if s.loglik is not None:
        lines.append(f"Pseudo Log-likelihood = {_num(s.loglik, 3)} ")
    if lr is not None:
        lines.append(
            f"Pseudo likelihood ratio test = {_num(round(lr.statistic, 2), 3)}  on {lr.df} df,"
        )
    return lines + (["", *s.notes] if s.notes else [])


def render(s: Printable) -> str:
    """The text of R's ``print(summary(fit))`` for a Cox or a Fine–Gray summary."""
    lines = _render_crr(s) if s.model == "crr" else _render_cox(s)
    return "\n".join(lines).rstrip("\n")
