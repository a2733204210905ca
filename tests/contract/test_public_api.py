"""The curated public surface: __all__ is sorted, complete and importable."""

from __future__ import annotations

import importlib

import pytest

PUBLIC_MODULES = [
    "mrdguide",
    "mrdguide.domain",
    "mrdguide.errors",
    "mrdguide.survival",
    "mrdguide.mrd",
    "mrdguide.genetics",
    "mrdguide.protocols",
    "mrdguide.risk",
    "mrdguide.simulate",
    "mrdguide.store",
    "mrdguide.io",
    "mrdguide.services",
    "mrdguide.analysis",
]


def test_top_level_import_stays_light() -> None:
    """Importing mrdguide does not pull in the adapters (SQLAlchemy, pandas, typer, matplotlib)."""
    import subprocess
    import sys

    code = (
        "import sys, mrdguide; "
        "bad = [m for m in ('sqlalchemy', 'pandas', 'typer', 'matplotlib') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_and_importable(name: str) -> None:
    """Every name in __all__ exists, and __all__ is sorted without duplicates."""
    mod = importlib.import_module(name)
    exported = list(mod.__all__)
    # isort-style order (ruff RUF022): CONSTANTS, then Classes, then functions.
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
    assert len(set(exported)) == len(exported)
    for attr in exported:
        assert hasattr(mod, attr), f"{name}.{attr} is in __all__ but missing"


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_equals_the_public_names(name: str) -> None:
    """A package face exports exactly its public names (httpx): nothing public is unlisted."""
    import types

    mod = importlib.import_module(name)
    public = {n for n in vars(mod) if not n.startswith("_")}
    ours = {
        n
        for n in public
        if not isinstance(getattr(mod, n), types.ModuleType)
        and str(getattr(getattr(mod, n), "__module__", "mrdguide")).startswith("mrdguide")
    }
    exported = {n for n in mod.__all__ if not n.startswith("__")}
    assert ours <= exported, f"public but not in __all__: {sorted(ours - exported)}"
    assert exported <= public


def test_errors_tree_shape() -> None:
    """The documented exception tree holds (httpx-style)."""
    from mrdguide import errors as e

    assert issubclass(e.UnitError, e.InputError)
    assert issubclass(e.IngestError, e.InputError)
    assert issubclass(e.InputError, e.MRDGuideError)
    assert issubclass(e.InputError, ValueError)
    assert issubclass(e.NotFoundError, e.StoreError)
    assert issubclass(e.StatisticalWarning, e.MRDGuideWarning)
    assert issubclass(e.MRDGuideWarning, UserWarning)
    for cls in (e.RuleSetError, e.AssignmentError, e.EstimationError, e.AssayError):
        assert issubclass(cls, e.MRDGuideError)


def test_ingest_error_lists_every_issue() -> None:
    """IngestError names file, row, field, value and rule for each issue."""
    from mrdguide.errors import IngestError, IngestIssue

    issues = [
        IngestIssue(file="p.csv", row=3, field="wbc_per_ul", value=-1, rule="must be >= 0"),
        IngestIssue(file="p.csv", row=None, field="sex", value=None, rule="missing column"),
    ]
    msg = str(IngestError(issues))
    assert "p.csv, row 3, field 'wbc_per_ul', value -1: must be >= 0" in msg
    assert "p.csv, field 'sex': missing column" in msg
    assert "2 problem(s)" in msg
