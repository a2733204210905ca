"""From a parsed formula and a DataFrame to the arrays of the survival API (internal).

R's order of operations is kept: the variables are looked up, rows with a missing value in any
variable the model uses (response, covariates, strata, cluster, offset, weights) fail or are
omitted (``na.omit``), and only then are factors encoded, so that a level of a text column that
occurs only in dropped rows disappears as in R's ``model.matrix``. pandas and formulaic are
imported inside the functions.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.analysis.formula._parse import ParsedFormula
from mrdguide.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONTEXT",
    "NA_ACTIONS",
    "Design",
    "Terms",
    "build_design",
    "eval_numeric",
    "strata_labels",
]

FloatArray = NDArray[np.float64]
Mask = NDArray[np.bool_]
NA_ACTIONS = {"fail": "fail", "na.fail": "fail", "omit": "omit", "na.omit": "omit"}
# Functions a formula may call besides formulaic's own (C, I, center, scale, poly, ...).
CONTEXT: dict[str, Any] = {
    "log": np.log,
    "log10": np.log10,
    "log2": np.log2,
    "log1p": np.log1p,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "np": np,
}
_SHOW = 5  # rows named in a missing-value message


@dataclass(frozen=True, slots=True, kw_only=True)
class Terms:
    """What predictions need to encode new rows as the fit did."""

    spec: Any  # formulaic ModelSpec of the covariates (intercept included)
    names: tuple[str, ...]
    term_columns: dict[str, tuple[int, ...]]
    response_args: tuple[str, ...]
    strata: tuple[str, ...]
    cluster: str | None
    offsets: tuple[str, ...]
    columns: tuple[str, ...]  # covariate and offset columns new data must hold


@dataclass(frozen=True, slots=True, kw_only=True)
class Design:
    """Encoded rows of one fit: covariates, response, strata, cluster, offset, weights."""

    x: FloatArray
    terms: Terms
    response: tuple[NDArray[Any], ...]
    strata: NDArray[Any] | None
    cluster: NDArray[Any] | None
    offset: FloatArray | None
    weights: FloatArray | None
    n_input: int
    dropped: tuple[Any, ...]


def as_frame(data: Any) -> pd.DataFrame:
    """A pandas DataFrame (a mapping of columns is converted)."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, dict):
        return pd.DataFrame(data)
    raise InputError(
        "data must be a pandas DataFrame (or a dict of columns)",
        field="data",
        value=type(data).__name__,
        rule="DataFrame",
    )


def _variables(expr: str) -> set[str]:
    """Names an expression refers to (formulaic's parser)."""
    from formulaic import Formula

    try:
        return {str(v) for v in Formula("{" + expr + "}").required_variables}
    except Exception as exc:  # formulaic parser errors
        raise InputError(
            f"cannot parse {expr!r}: {exc}", field="formula", value=expr, rule="syntax"
        ) from exc


def _check_known(names: set[str], frame: pd.DataFrame) -> None:
    cols = [str(c) for c in frame.columns]
    unknown = sorted(n for n in names if n not in cols and n not in CONTEXT)
    if unknown:
        close = difflib.get_close_matches(unknown[0], cols, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise InputError(
            f"unknown column {unknown[0]!r}{hint}",
            field=unknown[0],
            value=unknown,
            rule="every variable of the formula is a column of data",
        )


def _used_columns(parsed: ParsedFormula, frame: pd.DataFrame, weights: Any) -> list[str]:
    rhs = {str(v) for v in parsed.rhs.required_variables}
    resp = set().union(*(_variables(a) for a in parsed.response_args))
    offs = set().union(*(_variables(o) for o in parsed.offsets)) if parsed.offsets else set()
    special = set(parsed.strata) | ({parsed.cluster} if parsed.cluster else set())
    wt = {weights} if isinstance(weights, str) else set()
    used = rhs | resp | offs | special | wt
    _check_known(used, frame)
    return [str(c) for c in frame.columns if str(c) in used]


def _is_text(col: pd.Series[Any]) -> bool:
    import pandas as pd

    return bool(
        pd.api.types.is_object_dtype(col)
        or pd.api.types.is_string_dtype(col)
        or isinstance(col.dtype, pd.CategoricalDtype)
    )


def _no_silent_factor(parsed: ParsedFormula, frame: pd.DataFrame) -> None:
    """A text or categorical column used as a bare term must be written C(col)."""
    for term in parsed.rhs:
        for factor in term.factors:
            name = str(factor.expr)
            if name in frame.columns and _is_text(frame[name]):
                raise InputError(
                    f"column {name!r} holds text/categories; write C({name}) to use it as a "
                    "factor (R's treatment contrasts: the first level, in sorted order, is the "
                    "reference)",
                    field=name,
                    value=str(frame[name].dtype),
                    rule="factors are explicit: C(col)",
                )


def _prepare(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The used columns; booleans as 0/1 and nullable (extension) numbers as float, NA -> NaN.

    Plain integer columns stay integers, so ``C(x)`` levels read ``1``, not ``1.0``.
    """
    import pandas as pd

    out = frame.loc[:, cols].copy()
    for c in cols:
        s = out[c]
        ext = isinstance(s.dtype, pd.api.extensions.ExtensionDtype)
        if pd.api.types.is_bool_dtype(s.dtype) or (
            ext and pd.api.types.is_numeric_dtype(s.dtype) and not _is_text(s)
        ):
            out[c] = s.astype("Float64").astype(np.float64)
    return out


def _row_labels(frame: pd.DataFrame, mask: Mask) -> list[Any]:
    return [v.item() if hasattr(v, "item") else v for v in frame.index[mask][:_SHOW]]


_OMIT_HINT = "Pass na_action='omit' to drop them (R's na.omit) or fill them first"


def _fail_missing(
    frame: pd.DataFrame, mask: Mask, what: dict[str, int], hint: str = _OMIT_HINT
) -> None:
    detail = ", ".join(f"{k} ({v})" for k, v in what.items())
    raise InputError(
        f"{int(mask.sum())} row(s) have missing values in {detail}; first rows "
        f"(index labels) {_row_labels(frame, mask)}. {hint}",
        field=next(iter(what)),
        value=int(mask.sum()),
        rule="na_action='fail': no missing values",
    )


def eval_numeric(expr: str, frame: pd.DataFrame, what: str) -> FloatArray:
    """A numeric column or expression (formulaic's ``{...}`` Python evaluation) as floats."""
    from formulaic import model_matrix

    name = expr.strip("`")
    if name in frame.columns:
        col = frame[name]
        if _is_text(col):
            raise InputError(
                f"{what} {name!r} must be numeric", field=name, value=str(col.dtype), rule=what
            )
        return np.asarray(col, dtype=np.float64)
    try:
        with np.errstate(all="ignore"):
            mm = model_matrix("0 + {" + expr + "}", frame, na_action="ignore", context=CONTEXT)
    except Exception as exc:  # formulaic evaluation errors
        raise InputError(f"cannot evaluate {expr!r}: {exc}", field=what, value=expr) from exc
    if mm.shape[1] != 1:
        raise InputError(f"{what} {expr!r} must be numeric", field=what, value=expr, rule=what)
    return np.asarray(mm.iloc[:, 0], dtype=np.float64)


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def strata_labels(frame: pd.DataFrame, cols: tuple[str, ...]) -> NDArray[Any] | None:
    """R's strata labels: ``"sex=F"``, or ``"sex=F, centre=2"`` for several columns."""
    if not cols:
        return None
    parts = [[f"{c}={_fmt(v)}" for v in frame[c].tolist()] for c in cols]
    return np.array([", ".join(p) for p in zip(*parts, strict=True)], dtype=object)


def _encode(parsed: ParsedFormula, frame: pd.DataFrame) -> Any:
    from formulaic import model_matrix

    try:
        with np.errstate(all="ignore"):
            return model_matrix(parsed.rhs, frame, na_action="ignore", context=CONTEXT)
    except Exception as exc:  # formulaic evaluation/encoding errors
        raise InputError(
            f"cannot build the design of {parsed.text!r}: {exc}", field="formula", value=parsed.text
        ) from exc


def _check_encoded(mm: Any) -> None:
    """Categorical encoding only through C(); no infinite covariate."""
    for factor, (kind, _state) in mm.model_spec.encoder_state.items():
        if str(getattr(kind, "value", kind)) == "categorical" and not str(factor).startswith("C("):
            raise InputError(
                f"{factor} evaluates to text/categories; wrap it in C() to use it as a factor",
                field=str(factor),
                rule="factors are explicit: C(...)",
            )
    x = mm.to_numpy(dtype=np.float64)
    bad = np.isinf(x).any(axis=0)
    if bad.any():
        col = str(mm.columns[int(np.argmax(bad))])
        raise InputError(
            f"covariate {col} is infinite in {int(np.isinf(x[:, bad]).any(axis=1).sum())} row(s)"
            " (log of 0?)",
            field=col,
            rule="finite covariates",
        )


def _na_action(value: Any) -> str:
    if value not in NA_ACTIONS:
        raise InputError(
            f"na_action must be 'fail' or 'omit', got {value!r}",
            field="na_action",
            value=value,
            rule="'fail' (R na.fail) or 'omit' (R na.omit)",
        )
    return NA_ACTIONS[value]


def _weights(weights: Any, frame: pd.DataFrame) -> FloatArray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        return eval_numeric(weights, frame, "weights")
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.size != len(frame):
        raise InputError(
            f"weights has {w.size} values for {len(frame)} rows",
            field="weights",
            value=w.size,
            rule="one weight per row of data",
        )
    return w


def _missing(
    frame: pd.DataFrame, cols: list[str], evaluated: dict[str, FloatArray | None]
) -> tuple[Mask, dict[str, int]]:
    """Rows with a missing value in a used column or an evaluated expression, and why."""
    mask = np.zeros(len(frame), dtype=bool)
    what: dict[str, int] = {}
    for c in cols:
        na = np.asarray(frame[c].isna(), dtype=bool)
        if na.any():
            what[c] = int(na.sum())
            mask |= na
    for name, v in evaluated.items():
        if v is not None and np.isnan(v).any() and not np.all(mask[np.isnan(v)]):
            what[name] = int((np.isnan(v) & ~mask).sum())
            mask |= np.isnan(v)
    return mask, what


def _encode_rows(
    parsed: ParsedFormula, frame: pd.DataFrame, keep: Mask, na: str
) -> tuple[Any, Mask]:
    """Encode the kept rows; rows whose transformed covariates are NaN are missing too (R
    evaluates ``log(x)`` in the model frame before ``na.action``)."""
    mm = _encode(parsed, frame.loc[keep])
    nan = np.isnan(mm.to_numpy(dtype=np.float64))
    rows = nan.any(axis=1)
    if rows.any():
        what = {str(c): int(k) for c, k in zip(mm.columns, nan.sum(axis=0), strict=True) if k}
        if na == "fail":
            _fail_missing(frame.loc[keep], rows, what)
        keep = keep.copy()
        keep[np.flatnonzero(keep)[rows]] = False
        mm = _encode(parsed, frame.loc[keep])
    return mm, keep


def _terms(parsed: ParsedFormula, mm: Any, frame: pd.DataFrame) -> Terms:
    spec = mm.model_spec
    cols = [str(c) for c in mm.columns]
    icpt = cols.index("Intercept") if "Intercept" in cols else -1
    shift = {i: i - (1 if icpt >= 0 and i > icpt else 0) for i in range(len(cols))}
    term_columns = {
        str(t): tuple(shift[i] for i in idx)
        for t, idx in spec.term_indices.items()
        if str(t) != "1"
    }
    need = {str(v) for v in parsed.rhs.required_variables}
    for o in parsed.offsets:
        need |= _variables(o)
    need |= set(parsed.strata)
    return Terms(
        spec=spec,
        names=tuple(c for i, c in enumerate(cols) if i != icpt),
        term_columns=term_columns,
        response_args=parsed.response_args,
        strata=parsed.strata,
        cluster=parsed.cluster,
        offsets=parsed.offsets,
        columns=tuple(str(c) for c in frame.columns if str(c) in need),
    )


def _covariates(mm: Any, names: tuple[str, ...]) -> FloatArray:
    return np.asarray(mm.loc[:, list(names)].to_numpy(dtype=np.float64), dtype=np.float64)


def _response(
    parsed: ParsedFormula, frame: pd.DataFrame, labels: tuple[int, ...]
) -> tuple[NDArray[Any], ...]:
    """Evaluated response arguments; those at ``labels`` are raw column values (codes)."""
    out: list[NDArray[Any]] = []
    for i, a in enumerate(parsed.response_args):
        if i in labels:
            name = a.strip("`")
            if name not in frame.columns:
                raise InputError(
                    f"the status argument of {parsed.response}() must be a column, got {a!r}",
                    field="formula",
                    value=a,
                    rule="a column of event codes",
                )
            out.append(frame[name].to_numpy())
        else:
            out.append(eval_numeric(a, frame, f"{parsed.response}() argument"))
    return tuple(out)


def build_design(
    parsed: ParsedFormula,
    data: Any,
    *,
    na_action: str = "fail",
    weights: Any = None,
    labels: tuple[int, ...] = (),
) -> Design:
    """Look up, check, drop incomplete rows (or fail) and encode; see the module notes.

    ``labels`` are the positions of response arguments kept as raw codes (a cause column).
    """
    na = _na_action(na_action)
    frame0 = as_frame(data)
    cols = _used_columns(parsed, frame0, weights)
    _no_silent_factor(parsed, frame0)
    frame = _prepare(frame0, cols)
    resp = _response(parsed, frame, labels)
    offs = [eval_numeric(o, frame, "offset") for o in parsed.offsets]
    w = _weights(weights, frame)
    evaluated: dict[str, FloatArray | None] = {
        a: r
        for i, (a, r) in enumerate(zip(parsed.response_args, resp, strict=True))
        if i not in labels
    }
    evaluated |= {f"offset({o})": v for o, v in zip(parsed.offsets, offs, strict=True)}
    evaluated["weights"] = w
    missing, what = _missing(frame, cols, evaluated)
    if missing.any() and na == "fail":
        _fail_missing(frame, missing, what)
    mm, keep = _encode_rows(parsed, frame, ~missing, na)
    _check_encoded(mm)
    terms = _terms(parsed, mm, frame)
    kept = frame.loc[keep]
    return Design(
        x=_covariates(mm, terms.names),
        terms=terms,
        response=tuple(r[keep] for r in resp),
        strata=strata_labels(kept, parsed.strata),
        cluster=None if parsed.cluster is None else kept[parsed.cluster].to_numpy(),
        offset=np.sum(offs, axis=0)[keep] if offs else None,
        weights=None if w is None else w[keep],
        n_input=len(frame),
        dropped=tuple(v.item() if hasattr(v, "item") else v for v in frame.index[~keep]),
    )
