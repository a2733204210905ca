"""Plate CSV and AIRR TSV readers: shipped examples, layout errors, row errors."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from mrdguide.errors import AssayError, IngestError
from mrdguide.io.airr_files import read_airr_sample, required_columns
from mrdguide.io.pcr_plate import read_pcr_plate
from mrdguide.mrd import CountBasis, WellType

EXAMPLES = Path(str(files("mrdguide") / "examples"))
HEADER = "sample,sample_type,marker,dilution,ct,replicate\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_example_plate_reads() -> None:
    """The shipped plate parses; Undetermined becomes None."""
    wells = read_pcr_plate(EXAMPLES / "pcr_plate.csv")
    assert {w.sample_type for w in wells} == set(WellType)
    assert any(w.ct is None for w in wells)


def test_plate_missing_columns(tmp_path: Path) -> None:
    """A missing required column is reported by name."""
    p = _write(tmp_path, "p.csv", "sample,marker,ct\nA,M,30\n")
    with pytest.raises(IngestError, match="sample_type"):
        read_pcr_plate(p)


def test_plate_row_errors_all_reported(tmp_path: Path) -> None:
    """Every bad row is listed with file, row, field and value; percent dilutions rejected."""
    body = (
        "STD,standard,M,10,30,1\n"  # percent-like dilution
        "STD,standard,M,0.1%,30,1\n"
        "FU,follow_up,M,,abc,1\n"
        "X,weird,M,,30,1\n"
        "STD,standard,M,,30,1\n"  # standard without dilution
    )
    with pytest.raises(IngestError) as exc:
        read_pcr_plate(_write(tmp_path, "p.csv", HEADER + body))
    issues = exc.value.issues
    assert [(i.row, i.field) for i in issues] == [
        (1, "dilution"),
        (2, "dilution"),
        (3, "ct"),
        (4, "sample_type"),
        (5, "dilution"),
    ]
    assert all(i.file == "p.csv" for i in issues)
    assert "p.csv, row 1, field 'dilution', value '10'" in str(exc.value)


def test_example_airr_files_read() -> None:
    """The shipped AIRR files parse with their count bases."""
    dx = read_airr_sample(EXAMPLES / "ngs_diagnosis.tsv")
    fu = read_airr_sample(EXAMPLES / "ngs_followup.tsv")
    assert dx.count_basis is CountBasis.READS
    assert fu.count_basis is CountBasis.TEMPLATES
    assert {c.locus for c in dx.clonotypes} == {"IGH", "IGK", "TRG"}


def _airr(rows: list[dict[str, str]], extra: tuple[str, ...] = ("duplicate_count",)) -> str:
    cols = [*required_columns(), "locus", *extra]
    lines = ["\t".join(cols)]
    for r in rows:
        base = dict.fromkeys(cols, "") | {"rev_comp": "F", "productive": "T"}
        lines.append("\t".join((base | r)[c] for c in cols))
    return "\n".join(lines) + "\n"


def test_airr_missing_columns_named(tmp_path: Path) -> None:
    """An AIRR file without required columns raises AssayError naming all of them."""
    p = _write(tmp_path, "a.tsv", "sequence_id\tjunction\nx\tTGTAAATGG\n")
    with pytest.raises(AssayError) as exc:
        read_airr_sample(p)
    assert "v_call" in str(exc.value)
    assert "duplicate_count" in str(exc.value)
    assert "a.tsv" in str(exc.value)


def test_airr_row_errors(tmp_path: Path) -> None:
    """Bad junctions and bad counts are collected with their row numbers."""
    rows = [
        {"sequence_id": "1", "junction": "TGTXXTGG", "duplicate_count": "3"},
        {"sequence_id": "2", "junction": "TGTAATGG", "duplicate_count": "many"},
        {"sequence_id": "3", "junction": "TGTAATGG", "duplicate_count": "4"},
    ]
    with pytest.raises(IngestError) as exc:
        read_airr_sample(_write(tmp_path, "b.tsv", _airr(rows)))
    assert [i.row for i in exc.value.issues] == [1, 2]


def test_airr_spike_in_and_reference_cells(tmp_path: Path) -> None:
    """Spike-in rows are summed apart; a reference-gene cell count is picked up."""
    rows = [
        {
            "sequence_id": "1",
            "junction": "TGTAATGG",
            "duplicate_count": "30",
            "locus": "IGH",
            "spike_in": "F",
            "cell_equivalents": "80000",
        },
        {
            "sequence_id": "2",
            "junction": "TGTCCTGG",
            "duplicate_count": "500",
            "spike_in": "T",
            "cell_equivalents": "80000",
        },
    ]
    s = read_airr_sample(
        _write(tmp_path, "c.tsv", _airr(rows, ("duplicate_count", "spike_in", "cell_equivalents")))
    )
    assert s.spike_in_reads == 500
    assert s.cell_equivalents == 80000
    assert len(s.clonotypes) == 1
    assert s.clonotypes[0].locus == "IGH"
