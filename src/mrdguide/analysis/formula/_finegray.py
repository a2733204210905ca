"""``finegray(formula, data)``: a formula interface to :func:`mrdguide.survival.fine_gray`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from mrdguide._json import jsonable
from mrdguide.analysis.formula._design import Terms, build_design
from mrdguide.analysis.formula._newdata import new_rows
from mrdguide.analysis.formula._parse import parse_formula
from mrdguide.analysis.formula._summary import (
    RegressionSummary,
    chi2_test,
    confint_frame,
    tidy_frame,
    wald_limits,
)
from mrdguide.errors import InputError
from mrdguide.survival import FineGrayResult, PredictedIncidence, fine_gray

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FineGrayModel", "cause_codes", "finegray"]


def _same(a: Any, b: Any) -> bool:
    """Label equality that lets 1 match 1.0 and "relapse" match "relapse"."""
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    try:
        return bool(float(a) == float(b))
    except (TypeError, ValueError):
        return bool(a == b)


def cause_codes(values: NDArray[Any], failcode: Any, cencode: Any) -> NDArray[np.int64]:
    """crr's coding: ``cencode`` -> 0, ``failcode`` -> 1, other causes -> 2, 3, ... (sorted)."""
    labels = [v.item() if hasattr(v, "item") else v for v in values]
    cen = np.array([_same(v, cencode) for v in labels], dtype=bool)
    fail = np.array([_same(v, failcode) for v in labels], dtype=bool)
    if not fail.any():
        raise InputError(
            f"no event of the cause of interest (failcode={failcode!r}) in the data",
            field="failcode",
            value=failcode,
            rule="failcode is one of the status codes",
        )
    others = sorted({str(v) for v, c, f in zip(labels, cen, fail, strict=True) if not (c or f)})
    rank = {o: i + 2 for i, o in enumerate(others)}
    codes = [
        0 if c else 1 if f else rank[str(v)] for v, c, f in zip(labels, cen, fail, strict=True)
    ]
    return np.asarray(codes, dtype=np.int64)


@dataclass(frozen=True, slots=True, kw_only=True)
class FineGrayModel:
    """A Fine–Gray model fitted from a formula (``result`` is the array API's result)."""

    formula: str
    result: FineGrayResult
    failcode: Any
    cencode: Any
    na_action: str
    n_input: int
    n_deleted: int
    deleted_rows: tuple[Any, ...]
    competing: tuple[str, ...]
    terms: Terms = field(repr=False, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Coefficient names (encoded design columns)."""
        return self.result.names

    def summary(self, conf_level: float = 0.95) -> RegressionSummary:
        """R's ``summary(crr)`` numbers (printed as cmprsk prints them), plus a Wald test.

        ``se(coef)`` is crr's sandwich SE (grouped within clusters when ``cluster()`` was
        given); ``tests`` hold crr's pseudo likelihood-ratio test and the Wald test of all
        coefficients.
        """
        r = self.result
        z, p, lo, hi = wald_limits(r.coef, r.std_err, conf_level)
        est = np.isfinite(r.coef)
        df = int(est.sum())
        b, v = r.coef[est], r.covariance[np.ix_(est, est)]
        wald = float(b @ np.linalg.solve(v, b)) if df else float("nan")
        tests = (
            ("Pseudo likelihood ratio test", chi2_test(2.0 * (r.loglik - r.loglik_null), df)),
            ("Wald test", chi2_test(wald, df)),
        )
        notes: tuple[str, ...] = ()
        if r.variance == "cluster":
            notes = (f"(se(coef): crr's sandwich summed within {r.n_clusters} clusters)",)
        return RegressionSummary(
            model="crr",
            call=f"finegray(formula = {self.formula}, data = data, failcode = "
            f"{self.failcode!r}, cencode = {self.cencode!r})",
            names=r.names,
            coef=r.coef,
            exp_coef=np.exp(r.coef),
            std_err=r.std_err,
            robust_std_err=None,
            z=z,
            p_value=p,
            conf_level=float(conf_level),
            conf_lower=lo,
            conf_upper=hi,
            n=r.n,
            n_events=r.n_events,
            n_deleted=self.n_deleted,
            n_clusters=r.n_clusters,
            concordance=None,
            concordance_std_err=None,
            loglik=r.loglik,
            tests=tests,
            notes=notes,
        )

    def to_frame(self, conf_level: float = 0.95) -> pd.DataFrame:
        """Tidy coefficient table (broom ``tidy(conf.int = TRUE)`` plus exp columns)."""
        return tidy_frame(self.summary(conf_level))

    def confint(self, level: float = 0.95) -> pd.DataFrame:
        """Wald limits of the coefficients (R ``confint.default``)."""
        r = self.result
        return confint_frame(r.names, r.coef, r.std_err, level)

    def predict(
        self,
        newdata: Any,
        times: Any = None,
        *,
        conf_level: float = 0.95,
        conf_type: str = "log",
        extend: bool = False,
    ) -> PredictedIncidence:
        """Cumulative incidence for rows built from the formula (R ``predict.crr`` plus CIs)."""
        rows = new_rows(self.terms, newdata)
        return self.result.predict(
            rows.x,
            times,
            offset=rows.offset,
            conf_level=conf_level,
            conf_type=conf_type,
            extend=extend,
        )

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON representation (non-finite numbers become null)."""
        out = {
            "model": "finegray",
            "formula": self.formula,
            "failcode": self.failcode,
            "cencode": self.cencode,
            "competing": list(self.competing),
            "na_action": self.na_action,
            "n_input": self.n_input,
            "n_deleted": self.n_deleted,
            "deleted_rows": list(self.deleted_rows),
            "term_columns": dict(self.terms.term_columns),
            "result": self.result.to_dict(),
        }
        return jsonable(out)  # type: ignore[no-any-return]


def finegray(
    formula: str,
    data: Any,
    *,
    failcode: Any = 1,
    cencode: Any = 0,
    na_action: str = "fail",
    timefix: bool = True,
) -> FineGrayModel:
    """Fit a Fine–Gray model from a formula, as ``cmprsk::crr`` with R's ``model.matrix``.

    Parameters
    ----------
    formula : str
        ``"Event(time, cause) ~ terms"`` (``Surv(time, cause)`` is accepted too, as
        tidycmprsk). ``cause`` is a column of status codes (numbers or text). Terms as in
        :func:`coxph`, with ``cluster(col)`` and ``offset(expr)``; ``strata()`` is refused
        (crr has no strata).
    data : pandas.DataFrame
        One row per subject.
    failcode, cencode
        The code of the cause of interest and of censoring (crr's ``failcode``, ``cencode``).
        Every other code is a competing event.
    na_action : {"fail", "omit"}
        As :func:`coxph`.
    timefix : bool
        Merge near-tied times first (R's ``aeqSurv``; crr does not: pass ``False`` to
        reproduce crr on data with near ties).

    Returns
    -------
    FineGrayModel

    Notes
    -----
    R's ``survival::finegray()`` is a data-expansion function; this fits the model directly,
    as ``crr(ftime, fstatus, cov1 = model.matrix(~ terms, data)[, -1], failcode, cencode)``.
    Factors, missing values, column names and contrasts follow :func:`coxph`. ``cluster()``
    gives the grouped sandwich of :func:`mrdguide.survival.fine_gray` (crr has no cluster
    option).
    """
    parsed = parse_formula(formula, ("Event", "Surv"))
    if len(parsed.response_args) != 2:
        raise InputError(
            f"{parsed.response}() takes (time, cause) for Fine-Gray",
            field="formula",
            value=formula,
            rule="Event(time, cause)",
        )
    if parsed.strata:
        raise InputError(
            "strata() is not available for Fine-Gray (crr has no strata)",
            field="formula",
            value=parsed.strata,
            rule="no strata()",
        )
    design = build_design(parsed, data, na_action=na_action, labels=(1,))
    if not design.terms.names:
        raise InputError(
            "the formula has no covariates", field="formula", value=formula, rule=">= 1 term"
        )
    codes = cause_codes(design.response[1], failcode, cencode)
    import pandas as pd

    result = fine_gray(
        pd.DataFrame(design.x, columns=list(design.terms.names)),
        np.asarray(design.response[0], dtype=np.float64),
        codes,
        cause_of_interest=1,
        cluster=design.cluster,
        offset=design.offset,
        timefix=timefix,
    )
    competing = sorted(
        {str(v) for v, c in zip(design.response[1].tolist(), codes.tolist(), strict=True) if c > 1}
    )
    return FineGrayModel(
        formula=formula,
        result=result,
        failcode=failcode,
        cencode=cencode,
        na_action=na_action,
        n_input=design.n_input,
        n_deleted=len(design.dropped),
        deleted_rows=design.dropped,
        competing=tuple(competing),
        terms=design.terms,
    )
