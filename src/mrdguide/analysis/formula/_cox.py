"""``coxph(formula, data)``: R's formula interface to :func:`mrdguide.survival.cox_ph`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mrdguide._json import jsonable
from mrdguide.analysis.formula._design import Design, Terms, build_design
from mrdguide.analysis.formula._newdata import new_rows
from mrdguide.analysis.formula._parse import parse_formula
from mrdguide.analysis.formula._summary import (
    RegressionSummary,
    confint_frame,
    tidy_frame,
    wald_limits,
)
from mrdguide.errors import InputError
from mrdguide.survival import (
    CoxPrediction,
    CoxResult,
    PHTestResult,
    PredictedSurvival,
    cox_ph,
    proportional_hazards_test,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CoxModel", "coxph", "event_codes"]


def event_codes(values: Any, what: str = "event") -> Any:
    """R ``Surv()``'s status rule: 0/1 (or FALSE/TRUE), or 1/2 meaning censored/event."""
    ev = np.asarray(values, dtype=np.float64)
    fin = ev[np.isfinite(ev)]
    if fin.size and fin.max() == 2.0:
        if not np.all(np.isin(fin, (1.0, 2.0))):
            raise InputError(
                f"{what} mixes codes 0, 1 and 2",
                field=what,
                value=sorted(set(fin.tolist())),
                rule="0/1, TRUE/FALSE or 1/2 (R's Surv)",
            )
        return ev - 1.0
    return ev


@dataclass(frozen=True, slots=True, kw_only=True)
class CoxModel:
    """A Cox model fitted from a formula: the array result plus what encodes new rows.

    ``result`` is the :class:`mrdguide.survival.CoxResult` (coefficients in ``names`` order,
    the column names of the encoded design). ``n_deleted`` rows of the ``n_input`` rows of data
    were dropped for missing values (``deleted_rows``: their index labels), as R's
    ``na.action``.
    """

    formula: str
    result: CoxResult
    ties: str
    na_action: str
    n_input: int
    n_deleted: int
    deleted_rows: tuple[Any, ...]
    counting: bool
    terms: Terms = field(repr=False, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Coefficient names (encoded design columns, e.g. ``C(subtype)[T.BCR-ABL1]``)."""
        return self.result.names

    @property
    def term_columns(self) -> dict[str, tuple[int, ...]]:
        """Formula term -> positions of its columns in ``names`` (R's ``assign``)."""
        return dict(self.terms.term_columns)

    def summary(self, conf_level: float = 0.95) -> RegressionSummary:
        """R's ``summary(coxph)``: ``print(fit.summary())`` shows R's printed table.

        ``se(coef)`` is the model-based SE; with a robust or cluster variance the ``robust
        se`` column is shown and z, p and the limits use it (as R).
        """
        r = self.result
        robust = r.variance != "model"
        z, p, lo, hi = wald_limits(r.coef, r.std_err, conf_level)
        tests = [
            ("Likelihood ratio test", r.lr_test),
            ("Wald test", r.wald_test),
            ("Score (logrank) test", r.score_test),
        ]
        if r.robust_score_test is not None:
            tests.append(("Robust score test", r.robust_score_test))
        return RegressionSummary(
            model="coxph",
            call=self._call(),
            names=r.names,
            coef=r.coef,
            exp_coef=np.exp(r.coef),
            std_err=r.naive_std_err,
            robust_std_err=r.std_err if robust else None,
            z=z,
            p_value=p,
            conf_level=float(conf_level),
            conf_lower=lo,
            conf_upper=hi,
            n=r.n,
            n_events=r.n_events,
            n_deleted=self.n_deleted,
            n_clusters=r.n_clusters,
            concordance=r.concordance,
            concordance_std_err=r.concordance_std_err,
            loglik=r.loglik,
            tests=tuple(tests),
        )

    def _call(self) -> str:
        extra = "" if self.ties == "efron" else f", ties = {self.ties!r}"
        extra += "" if self.na_action == "fail" else f", na_action = {self.na_action!r}"
        return f"coxph(formula = {self.formula}, data = data{extra})"

    def to_frame(self, conf_level: float = 0.95) -> pd.DataFrame:
        """Tidy coefficient table (broom ``tidy(conf.int = TRUE)`` plus exp columns)."""
        return tidy_frame(self.summary(conf_level))

    def confint(self, level: float = 0.95) -> pd.DataFrame:
        """R ``confint(fit, level)``: limits of the coefficients (robust SE when robust)."""
        r = self.result
        return confint_frame(r.names, r.coef, r.std_err, level)

    def _response(self, rows: Any) -> tuple[Any, Any]:
        resp = rows.response
        return (resp[1], resp[0]) if self.counting else (resp[0], None)

    def predict(
        self, newdata: Any = None, kind: str = "lp", *, reference: str = "strata"
    ) -> CoxPrediction:
        """R ``predict(fit, newdata, type = kind, se.fit = TRUE)``.

        ``kind`` is ``"lp"``, ``"risk"``, ``"expected"`` or ``"survival"``; the last two read
        the response columns of ``newdata``. Without ``newdata`` the fitted rows are used.
        New factor levels raise :class:`~mrdguide.errors.InputError`.
        """
        if newdata is None:
            return self.result.predict(None, kind, reference=reference)
        need = kind in ("expected", "survival")
        rows = new_rows(self.terms, newdata, response=need)
        time, entry = self._response(rows) if need else (None, None)
        return self.result.predict(
            rows.x,
            kind,
            time=time,
            entry=entry,
            strata=rows.strata,
            offset=rows.offset,
            reference=reference,
        )

    def predict_survival(
        self,
        newdata: Any,
        times: Any,
        *,
        conf_level: float = 0.95,
        conf_type: str = "log",
        extend: bool = False,
    ) -> PredictedSurvival:
        """R ``summary(survfit(fit, newdata), times, extend)`` for rows built from the formula."""
        rows = new_rows(self.terms, newdata)
        return self.result.predict_survival(
            rows.x,
            times,
            strata=rows.strata,
            offset=rows.offset,
            conf_level=conf_level,
            conf_type=conf_type,
            extend=extend,
        )

    def zph(self, transform: str = "km", *, singledf: bool = False) -> PHTestResult:
        """R ``cox.zph(fit, transform)``: a factor's columns are tested together (R's terms)."""
        multi = {t: list(c) for t, c in self.terms.term_columns.items() if len(c) > 1}
        return proportional_hazards_test(
            self.result, transform, terms=multi or None, singledf=singledf
        )

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON representation (non-finite numbers become null)."""
        out = {
            "model": "coxph",
            "formula": self.formula,
            "ties": self.ties,
            "na_action": self.na_action,
            "n_input": self.n_input,
            "n_deleted": self.n_deleted,
            "deleted_rows": list(self.deleted_rows),
            "term_columns": self.term_columns,
            "result": self.result.to_dict(),
        }
        return jsonable(out)  # type: ignore[no-any-return]


def _fit(design: Design, counting: bool, **kw: Any) -> CoxResult:
    import pandas as pd

    x = pd.DataFrame(design.x, columns=list(design.terms.names))
    resp = design.response
    time, entry = (resp[1], resp[0]) if counting else (resp[0], None)
    event = event_codes(resp[-1])
    return cox_ph(
        x,
        time,
        event,
        entry=entry,
        strata=design.strata,
        weights=design.weights,
        cluster=design.cluster,
        offset=design.offset,
        **kw,
    )


def coxph(
    formula: str,
    data: Any,
    *,
    ties: str = "efron",
    weights: Any = None,
    robust: bool | None = None,
    timefix: bool = True,
    na_action: str = "fail",
    concordance: bool = True,
) -> CoxModel:
    """Fit a Cox model from an R-style formula, as R ``survival::coxph(formula, data)``.

    Parameters
    ----------
    formula : str
        ``"Surv(time, event) ~ terms"`` or ``"Surv(start, stop, event) ~ terms"``. Terms are
        formulaic terms (``age``, ``C(subtype)``, ``log10(mrd)``, ``age:C(sex)``, ``I(age**2)``)
        plus R's specials ``strata(col, ...)``, ``cluster(col)`` and ``offset(expr)``.
    data : pandas.DataFrame
        One row per observation (or per (start, stop] interval).
    ties : {"efron", "breslow", "exact"}
        As :func:`mrdguide.survival.cox_ph`.
    weights : str or array-like, optional
        Case weights: a column name of ``data`` or one value per row.
    robust : bool or None
        As R: ``None`` = robust when ``cluster()`` is given or a weight is fractional.
    timefix : bool
        Merge near-tied times (R's ``aeqSurv``), as R's default.
    na_action : {"fail", "omit"}
        ``"fail"`` (default) raises :class:`~mrdguide.errors.InputError` naming the columns
        with missing values and the first such rows; ``"omit"`` drops those rows (R's
        ``na.omit``) and records how many (``n_deleted``) and which (``deleted_rows``).
    concordance : bool
        Compute R's concordance and its standard error.

    Returns
    -------
    CoxModel

    Notes
    -----
    R compatibility. Factors are explicit: a text, object or categorical column must be
    written ``C(col)``; used bare it raises InputError (no silent factor). ``C(col)`` uses R's
    treatment contrasts with the first level as reference: the sorted unique values (code
    point order, R's order in the C locale; R in other locales sorts letters
    case-insensitively, so give mixed-case levels explicitly), the categories' order for a
    pandas Categorical, or ``C(col, Treatment(reference="x"))`` / ``C(col, levels=[...])``.
    Columns are named as formulaic names them: ``C(subtype)[T.BCR-ABL1]`` where R says
    ``subtypeBCR-ABL1``. Boolean columns enter as 0/1 numbers (R: ``flagTRUE``). The
    status may be 0/1, False/True or 1/2 (R's ``Surv()`` rule). As R's ``coxph`` the
    intercept is always used for encoding and then dropped (``- 1`` changes nothing); a level
    of a text column that only occurs in rows dropped by ``na_action="omit"`` disappears, as
    in R's ``model.matrix``; rows whose transformed covariate is NaN (``log(-1)``) count as
    missing, as R evaluates the model frame before ``na.action``. Missing values are never
    dropped silently. Several ``strata()`` columns form one stratum per combination (labels
    ``"sex=F, centre=2"``); several ``offset()`` terms are summed.
    """
    parsed = parse_formula(formula)
    n_args = len(parsed.response_args)
    if n_args not in (2, 3):
        raise InputError(
            f"Surv() takes (time, event) or (start, stop, event), got {n_args} arguments",
            field="formula",
            value=formula,
            rule="Surv(time, event) | Surv(start, stop, event)",
        )
    design = build_design(parsed, data, na_action=na_action, weights=weights)
    if not design.terms.names:
        raise InputError(
            "the formula has no covariates", field="formula", value=formula, rule=">= 1 term"
        )
    result = _fit(
        design,
        n_args == 3,
        ties=ties,
        robust=robust,
        timefix=timefix,
        concordance=concordance,
    )
    return CoxModel(
        formula=formula,
        result=result,
        ties=ties,
        na_action=na_action,
        n_input=design.n_input,
        n_deleted=len(design.dropped),
        deleted_rows=design.dropped,
        counting=n_args == 3,
        terms=design.terms,
    )
