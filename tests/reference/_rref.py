"""The one loader for the R reference tests (not a test module).

Layout (checked by tests/contract/test_reference_layout.py): ``r/<script>.R`` (run from
tests/reference, sourcing ``r/_common.R``) writes the exact input ``data/<name>.csv`` and R's
answer ``expected/<name>.json`` = ``{"provenance": {...}, "results": {...}}``. The provenance
records the sha256 of every input: ``input``/``input_sha256`` for the first, ``inputN``/
``inputN_sha256`` for further ones, or ``<csv stem>_sha256`` / a named ``<label>_sha256`` (e.g.
``labs_sha256``) added by the script. Every CSV is read only after its sha256 has been checked
against the provenance of the JSON whose results it is compared with.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

HERE = Path(__file__).parent
DATA = HERE / "data"
EXPECTED = HERE / "expected"
RTOL = 1e-10
_NA = frozenset({"", "NA"})


def reference(name: str) -> dict[str, Any]:
    """The whole of expected/<name>.json (``provenance`` and ``results``)."""
    return dict(json.loads((EXPECTED / f"{name}.json").read_text()))


def provenance(name: str) -> dict[str, Any]:
    """The provenance block of expected/<name>.json."""
    return dict(reference(name)["provenance"])


def results(name: str) -> Any:
    """The ``results`` part of expected/<name>.json (R's answer)."""
    return reference(name)["results"]


def sha256_key(prov: dict[str, Any], csv_name: str) -> str:
    """The provenance key holding the sha256 of data/<csv_name>.csv.

    ``input`` or ``inputN`` naming the file gives ``input[N]_sha256``; otherwise
    ``<csv_name>_sha256``. Other labels (``labs_sha256``) must be passed as ``key=``.
    """
    for k, v in prov.items():
        if re.fullmatch(r"input\d*", k) and v == f"{csv_name}.csv" and f"{k}_sha256" in prov:
            return f"{k}_sha256"
    if f"{csv_name}_sha256" in prov:
        return f"{csv_name}_sha256"
    keys = sorted(k for k in prov if k.endswith("_sha256"))
    raise AssertionError(f"no provenance entry names data/{csv_name}.csv (sha256 keys: {keys})")


def _check_sha(path: Path, prov: dict[str, Any], key: str, results_name: str) -> None:
    """Assert the file's sha256 equals prov[key] (and that ``inputN`` names this file)."""
    assert key in prov, f"expected/{results_name}.json has no provenance entry {key!r}"
    label = key.removesuffix("_sha256")
    if re.fullmatch(r"input\d*", label) and label in prov:
        assert prov[label] == path.name, f"expected/{results_name}.json: {label} is {prov[label]}"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert prov[key] == digest, f"data/{path.name} differs from the one R used ({results_name})"


def _column(values: list[str], text: bool) -> np.ndarray:
    """Float column (""/NA -> nan) or, if forced or not numeric, the raw strings."""
    if not text:
        try:
            return np.array([np.nan if v in _NA else float(v) for v in values])
        except ValueError:
            pass
    return np.array(values, dtype=object)


def read_csv(
    name: str,
    results_name: str | None = None,
    *,
    key: str | None = None,
    text_columns: Iterable[str] = (),
) -> dict[str, np.ndarray]:
    """data/<name>.csv as columns, after checking its sha256 against R's provenance.

    Parameters
    ----------
    name
        CSV stem in data/.
    results_name
        Stem of the expected JSON whose provenance records the hash (default: ``name``).
    key
        Provenance key of the hash; by default found with :func:`sha256_key`.
    text_columns
        Columns kept as strings even if they look numeric.

    Returns
    -------
    dict
        Column name to float array (empty or NA -> nan) or, for columns that are not numeric
        or are listed in ``text_columns``, an object array of the raw strings.
    """
    results_name = name if results_name is None else results_name
    path = DATA / f"{name}.csv"
    prov = provenance(results_name)
    _check_sha(path, prov, sha256_key(prov, name) if key is None else key, results_name)
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    text = set(text_columns)
    return {k: _column([r[k] for r in rows], k in text) for k in rows[0]}


def read_frame(
    name: str, results_name: str | None = None, *, key: str | None = None
) -> pd.DataFrame:
    """:func:`read_csv` as a pandas DataFrame (columns in file order)."""
    import pandas as pd

    return pd.DataFrame(read_csv(name, results_name, key=key))


def load(name: str, text_columns: Iterable[str] = ()) -> tuple[dict[str, np.ndarray], Any]:
    """data/<name>.csv (hash-checked, see :func:`read_csv`) and results of expected/<name>.json."""
    return read_csv(name, text_columns=text_columns), results(name)


def _scalar(v: Any) -> Any:
    if isinstance(v, list):
        return [_scalar(x) for x in v]
    if v is None or v in {"NA", "NaN"}:
        return np.nan
    if v == "Inf":
        return np.inf
    if v == "-Inf":
        return -np.inf
    return v


def as_num(v: Any, ndmin: int = 0) -> Any:
    """R JSON value(s) as numbers: a float64 array for lists, a float64 scalar for a scalar.

    null, "NA" and "NaN" become nan, "Inf"/"-Inf" become +-inf; nested lists become
    multi-dimensional arrays. ``ndmin=1`` turns a scalar into a length-1 array (R's
    ``auto_unbox`` writes length-1 vectors as scalars).
    """
    arr = np.array(v if isinstance(v, np.ndarray) else _scalar(v), dtype=np.float64, ndmin=ndmin)
    return arr[()] if arr.ndim == 0 else arr


def close(actual: Any, expected: Any, rtol: float = RTOL) -> None:
    """Assert equality to rtol (atol 0) with nan matching nan (R's NA)."""
    np.testing.assert_allclose(actual, as_num(expected), rtol=rtol, atol=0, equal_nan=True)
