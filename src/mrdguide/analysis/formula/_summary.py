"""R-like coefficient tables for the formula models (internal).

:class:`RegressionSummary` holds the numbers of R's ``summary(coxph)`` / ``summary(crr)`` and
prints like them; :func:`tidy_frame` and :func:`confint_frame` give broom's ``tidy()`` and R's
``confint()`` as pandas DataFrames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from mrdguide._json import jsonable
from mrdguide.analysis.formula._render import render
from mrdguide.errors import InputError
from mrdguide.survival import TestResult

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RegressionSummary", "confint_frame", "normal_quantile", "tidy_frame"]

FloatArray = NDArray[np.float64]


def normal_quantile(level: float) -> float:
    """Two-sided normal quantile for a confidence level in (0, 1)."""
    if not (isinstance(level, float | int) and 0.0 < float(level) < 1.0):
        raise InputError(
            f"level must lie in (0, 1), got {level!r}", field="level", value=level, rule="(0, 1)"
        )
    return float(stats.norm.ppf(0.5 + float(level) / 2.0))


def _pct(p: float) -> str:
    """R's confint() column label: ``"2.5 %"``."""
    return f"{100.0 * p:.3g} %"


@dataclass(frozen=True, slots=True, kw_only=True)
class RegressionSummary:
    """The numbers of R's ``summary(coxph)`` (or ``summary(crr)``), printable like it.

    ``model`` is ``"coxph"`` or ``"crr"`` and chooses the printed layout (R's
    ``print.summary.coxph`` or cmprsk's ``print.summary.crr``). ``std_err`` is R's
    ``se(coef)`` (model-based for Cox; crr's sandwich for Fine–Gray) and ``robust_std_err``
    R's ``robust se`` (None when the fit is not robust). ``z``, ``p_value`` and the limits use
    the variance the fit carries (robust when robust, as R). ``conf_lower``/``conf_upper`` are
    on the hazard-ratio scale (R's ``conf.int``). ``tests`` are (label, result) pairs: for Cox
    ``"Likelihood ratio test"``, ``"Wald test"``, ``"Score (logrank) test"`` and, with a
    robust variance, ``"Robust score test"``; for Fine–Gray ``"Pseudo likelihood ratio
    test"`` and ``"Wald test"``.
    """

    model: str
    call: str
    names: tuple[str, ...]
    coef: FloatArray
    exp_coef: FloatArray
    std_err: FloatArray
    robust_std_err: FloatArray | None
    z: FloatArray
    p_value: FloatArray
    conf_level: float
    conf_lower: FloatArray
    conf_upper: FloatArray
    n: int
    n_events: int
    n_deleted: int
    n_clusters: int | None
    concordance: float | None
    concordance_std_err: float | None
    loglik: float | None
    tests: tuple[tuple[str, TestResult], ...]
    notes: tuple[str, ...] = ()

    def test(self, label: str) -> TestResult | None:
        """The test called ``label`` (see the class notes), or None."""
        return dict(self.tests).get(label)

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON representation (non-finite numbers become null)."""
        out = {
            k: getattr(self, k)
            for k in self.__dataclass_fields__  # type: ignore[attr-defined]
            if k != "tests"
        }
        out["tests"] = {name: t.to_dict() for name, t in self.tests}
        return jsonable(out)  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return render(self)


def confint_frame(
    names: tuple[str, ...], coef: FloatArray, std_err: FloatArray, level: float
) -> pd.DataFrame:
    """R's ``confint(fit, level)``: Wald limits of the coefficients, labelled ``"2.5 %"``..."""
    import pandas as pd

    q = normal_quantile(level)
    a = (1.0 - float(level)) / 2.0
    return pd.DataFrame(
        {_pct(a): coef - q * std_err, _pct(1.0 - a): coef + q * std_err},
        index=pd.Index(list(names), name="term"),
    )


def tidy_frame(s: RegressionSummary) -> pd.DataFrame:
    """broom's ``tidy(fit, conf.int = TRUE)`` plus the exponentiated columns.

    Columns: term, estimate, std_error (R's se(coef)), [robust_std_error], statistic, p_value,
    conf_low, conf_high (log-hazard scale), exp_estimate, exp_conf_low, exp_conf_high.
    """
    import pandas as pd

    cols: dict[str, Any] = {"term": list(s.names), "estimate": s.coef, "std_error": s.std_err}
    if s.robust_std_err is not None:
        cols["robust_std_error"] = s.robust_std_err
    with np.errstate(divide="ignore", invalid="ignore"):
        cols |= {
            "statistic": s.z,
            "p_value": s.p_value,
            "conf_low": np.log(s.conf_lower),
            "conf_high": np.log(s.conf_upper),
            "exp_estimate": s.exp_coef,
            "exp_conf_low": s.conf_lower,
            "exp_conf_high": s.conf_upper,
        }
    return pd.DataFrame(cols)


def wald_limits(
    coef: FloatArray, se: FloatArray, level: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """z, two-sided p and the exp-scale limits (R's summary)."""
    q = normal_quantile(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = coef / se
    p = 2.0 * stats.norm.sf(np.abs(z))
    return z, p, np.exp(coef - q * se), np.exp(coef + q * se)


def chi2_test(statistic: float, df: int) -> TestResult:
    """A chi-square test result."""
    p = float(stats.chi2.sf(statistic, df)) if math.isfinite(statistic) else math.nan
    return TestResult(statistic=float(statistic), df=int(df), p_value=p)
