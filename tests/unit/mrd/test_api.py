"""The public API of mrdguide.mrd is exactly the curated list."""

from __future__ import annotations

from mrdguide import mrd

EXPECTED = {
    "DEFAULT_LLOQ_EVENTS", "DEFAULT_LOD_EVENTS", "Bound", "CloneResult", "Clonotype",
    "CountBasis", "FlowResult", "KineticStep", "MRDKinetics", "NGSCriteria", "NGSResult",
    "NGSSample", "PCRCriteria", "PCRMarkerResult", "PCRResult", "StandardCurve", "Well",
    "WellType", "fit_standard_curve", "hamming_within", "index_clones", "interpret_flow",
    "interpret_ngs", "interpret_pcr", "kinetics",
}  # fmt: skip


def test_all_is_exact() -> None:
    """__all__ lists exactly the public names, and each resolves."""
    assert set(mrd.__all__) == EXPECTED
    assert all(hasattr(mrd, name) for name in mrd.__all__)


def test_core_imports_no_io_libraries() -> None:
    """The pure core module files import neither pandas nor typer nor airr."""
    from pathlib import Path

    root = Path(mrd.__file__).parent
    text = "\n".join(p.read_text(encoding="utf-8") for p in root.glob("*.py"))
    for lib in ("import pandas", "import typer", "import airr", "from mrdguide.io"):
        assert lib not in text
