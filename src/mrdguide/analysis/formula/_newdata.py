"""New rows for predictions, encoded as the fit encoded its data (internal).

The fitted formulaic ``ModelSpec`` carries the factor levels, the reference level and the
transforms; a level the fit did not see is refused with the column, the level and the levels
of the fit, never silently encoded as the reference or as NaN.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.analysis.formula._design import (
    CONTEXT,
    FloatArray,
    Terms,
    _check_known,
    _covariates,
    _fail_missing,
    _missing,
    _prepare,
    _variables,
    as_frame,
    eval_numeric,
    strata_labels,
)
from mrdguide.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NewRows", "new_rows"]


@dataclass(frozen=True, slots=True, kw_only=True)
class NewRows:
    """New rows encoded with a fit's terms."""

    x: FloatArray
    strata: NDArray[Any] | None
    offset: FloatArray | None
    response: tuple[FloatArray, ...] | None


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def _unseen_levels(terms: Terms, frame: pd.DataFrame) -> None:
    """Refuse a value of a factor column that is not a level of the fit."""
    for factor, (kind, state) in terms.spec.encoder_state.items():
        if str(getattr(kind, "value", kind)) != "categorical" or not isinstance(state, dict):
            continue
        cols = [c for c in _variables(str(factor)) if c in frame.columns]
        if len(cols) != 1 or "categories" not in state:
            continue
        levels = list(state["categories"])
        seen = set(levels)
        unseen = sorted(
            {_plain(v) for v in frame[cols[0]].dropna().tolist() if _plain(v) not in seen}, key=str
        )
        if unseen:
            raise InputError(
                f"newdata column {cols[0]!r} has level(s) {unseen} that the fit did not see "
                f"(factor {factor}); levels of the fit: {levels}",
                field=cols[0],
                value=unseen,
                rule="factor levels of the fitted data",
            )


def _new_matrix(terms: Terms, frame: pd.DataFrame) -> Any:
    from formulaic.errors import DataMismatchWarning

    _unseen_levels(terms, frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataMismatchWarning)
        try:
            with np.errstate(all="ignore"):
                return terms.spec.get_model_matrix(frame, context=CONTEXT, na_action="ignore")
        except DataMismatchWarning as exc:  # a level of a computed factor
            raise InputError(
                f"newdata has factor levels the fit did not see ({exc})",
                field="newdata",
                rule="factor levels of the fitted data",
            ) from exc
        except InputError:
            raise
        except Exception as exc:  # formulaic evaluation errors
            raise InputError(
                f"cannot encode newdata: {exc}", field="newdata", rule="columns of the fit"
            ) from exc


def new_rows(terms: Terms, newdata: Any, *, response: bool = False) -> NewRows:
    """Encode ``newdata`` with the fitted terms (levels, reference and transforms of the fit).

    ``newdata`` must hold every covariate, strata and offset column of the formula (and the
    response columns when ``response``) without missing values.
    """
    frame0 = as_frame(newdata)
    need = set(terms.columns)
    if response:
        need |= set().union(*(_variables(a) for a in terms.response_args))
    _check_known(need, frame0)
    frame = _prepare(frame0, [str(c) for c in frame0.columns if str(c) in need])
    missing, what = _missing(frame, list(frame.columns), {})
    if missing.any():
        _fail_missing(frame, missing, what, "newdata must be complete")
    mm = _new_matrix(terms, frame)
    offs = [eval_numeric(o, frame, "offset") for o in terms.offsets]
    resp = (
        tuple(eval_numeric(a, frame, "Surv() argument") for a in terms.response_args)
        if response
        else None
    )
    return NewRows(
        x=_covariates(mm, terms.names),
        strata=strata_labels(frame, terms.strata),
        offset=np.sum(offs, axis=0) if offs else None,
        response=resp,
    )
