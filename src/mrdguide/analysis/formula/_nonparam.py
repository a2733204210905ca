"""``survfit(formula, data)`` and ``survdiff(formula, data)``: thin formula wrappers of
:func:`mrdguide.survival.kaplan_meier` and :func:`mrdguide.survival.logrank_test`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide._json import jsonable
from mrdguide.analysis.formula._cox import event_codes
from mrdguide.analysis.formula._design import (
    _fail_missing,
    _missing,
    _na_action,
    _prepare,
    _used_columns,
    as_frame,
    eval_numeric,
    strata_labels,
)
from mrdguide.analysis.formula._parse import ParsedFormula, parse_formula
from mrdguide.errors import InputError
from mrdguide.survival import SurvivalCurve, kaplan_meier, logrank_test

__all__ = ["LogRankResult", "SurvfitResult", "survdiff", "survfit"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SurvfitResult:
    """Kaplan–Meier curves, one per group (``labels`` as R's strata names, ``"sex=F"``)."""

    formula: str
    labels: tuple[str, ...]
    curves: tuple[SurvivalCurve, ...]
    n_deleted: int

    def __getitem__(self, label: str) -> SurvivalCurve:
        try:
            return self.curves[self.labels.index(label)]
        except ValueError as exc:
            raise KeyError(label) from exc

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON representation."""
        out = {
            "formula": self.formula,
            "n_deleted": self.n_deleted,
            "curves": {lab: c.to_dict() for lab, c in zip(self.labels, self.curves, strict=True)},
        }
        return jsonable(out)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True, kw_only=True)
class LogRankResult:
    """R ``survdiff``: observed and expected events per group and the chi-square test."""

    formula: str
    labels: tuple[str, ...]
    n: NDArray[np.int64]
    observed: NDArray[np.float64]
    expected: NDArray[np.float64]
    statistic: float
    df: int
    p_value: float
    n_deleted: int

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON representation."""
        return jsonable({k: getattr(self, k) for k in self.__dataclass_fields__})  # type: ignore[no-any-return]


def _group_columns(parsed: ParsedFormula) -> tuple[str, ...]:
    """Grouping columns: bare column terms (R's ``~ sex + ph.ecog``); ``~ 1`` for none."""
    cols: list[str] = []
    for term in parsed.rhs:
        if str(term) == "1":
            continue
        f = term.factors
        if len(f) != 1 or str(getattr(f[0].eval_method, "value", "")) != "lookup":
            raise InputError(
                f"group terms are column names, got {term}",
                field="formula",
                value=str(term),
                rule="Surv(...) ~ col1 + col2 (or ~ 1)",
            )
        cols.append(str(f[0].expr))
    if parsed.cluster or parsed.offsets:
        raise InputError(
            "cluster() and offset() belong to regression models",
            field="formula",
            value=parsed.text,
            rule="no cluster()/offset() here",
        )
    return tuple(cols)


@dataclass(frozen=True, slots=True)
class _Rows:
    time: NDArray[np.float64]
    event: NDArray[np.float64]
    entry: NDArray[np.float64] | None
    groups: NDArray[Any] | None
    strata: NDArray[Any] | None
    weights: NDArray[np.float64] | None
    n_deleted: int


def _rows(parsed: ParsedFormula, data: Any, na_action: str, weights: Any = None) -> _Rows:
    na = _na_action(na_action)
    frame0 = as_frame(data)
    groups = _group_columns(parsed)
    cols = _used_columns(parsed, frame0, weights)
    frame = _prepare(frame0, cols)
    resp = [eval_numeric(a, frame, "Surv() argument") for a in parsed.response_args]
    w = eval_numeric(weights, frame, "weights") if isinstance(weights, str) else None
    evaluated: dict[str, Any] = dict(zip(parsed.response_args, resp, strict=True))
    missing, what = _missing(frame, cols, evaluated | {"weights": w})
    if missing.any() and na == "fail":
        _fail_missing(frame, missing, what)
    keep = ~missing
    kept = frame.loc[keep]
    counting = len(resp) == 3
    return _Rows(
        time=resp[-2][keep],
        event=event_codes(resp[-1][keep]),
        entry=resp[0][keep] if counting else None,
        groups=strata_labels(kept, groups),
        strata=strata_labels(kept, parsed.strata),
        weights=None if w is None else w[keep],
        n_deleted=int(missing.sum()),
    )


def survfit(
    formula: str,
    data: Any,
    *,
    conf_type: str = "log",
    conf_level: float = 0.95,
    weights: Any = None,
    na_action: str = "fail",
    timefix: bool = True,
) -> SurvfitResult:
    """Kaplan–Meier curves from a formula, as R ``survfit(Surv(time, event) ~ group, data)``.

    ``Surv(start, stop, event)`` gives delayed entry. Groups are columns (text is fine here:
    they label curves, they are not contrasts); several columns give one curve per
    combination. ``conf_type="log"`` is R's default. ``weights`` is a column name.
    """
    parsed = parse_formula(formula)
    r = _rows(parsed, data, na_action, weights)
    labels = r.groups if r.groups is not None else np.full(r.time.size, "all", dtype=object)
    if r.strata is not None:
        labels = np.array([f"{a}, {b}" for a, b in zip(labels, r.strata, strict=True)], object)
    levels = sorted(set(labels.tolist()))
    curves = []
    for lev in levels:
        m = labels == lev
        curves.append(
            kaplan_meier(
                r.time[m],
                r.event[m],
                conf_type=conf_type,  # type: ignore[arg-type]
                conf_level=conf_level,
                entry=None if r.entry is None else r.entry[m],
                weights=None if r.weights is None else r.weights[m],
                timefix=timefix,
            )
        )
    return SurvfitResult(
        formula=formula, labels=tuple(levels), curves=tuple(curves), n_deleted=r.n_deleted
    )


def survdiff(
    formula: str, data: Any, *, rho: float = 0.0, na_action: str = "fail", timefix: bool = True
) -> LogRankResult:
    """Log-rank (G-rho) test from a formula, as R ``survdiff(Surv(time, event) ~ group +
    strata(s), data, rho)``."""
    parsed = parse_formula(formula)
    if len(parsed.response_args) != 2:
        raise InputError(
            "survdiff takes Surv(time, event)", field="formula", value=formula, rule="2 arguments"
        )
    r = _rows(parsed, data, na_action)
    if r.groups is None:
        raise InputError(
            "survdiff needs a group: Surv(time, event) ~ group",
            field="formula",
            value=formula,
            rule=">= 1 group column",
        )
    test = logrank_test(r.time, r.event, r.groups, strata=r.strata, rho=rho, timefix=timefix)
    levels, counts = np.unique(r.groups.astype(str), return_counts=True)
    return LogRankResult(
        formula=formula,
        labels=tuple(str(v) for v in levels),
        n=counts.astype(np.int64),
        observed=np.asarray(test.observed, dtype=np.float64),
        expected=np.asarray(test.expected, dtype=np.float64),
        statistic=test.statistic,
        df=test.df,
        p_value=test.p_value,
        n_deleted=r.n_deleted,
    )
