"""FCS population counts (flowio) feeding flow MRD interpretation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mrdguide.cli.main import main
from mrdguide.errors import AssayError, InputError
from mrdguide.io.fcs import PopulationSpec, count_population

flowio = pytest.importorskip("flowio")


def _write(path: Path, codes: np.ndarray) -> Path:
    """An FCS file with FSC-A, CD19 and a 'Population' membership channel."""
    rng = np.random.default_rng(0)
    data = np.column_stack(
        [rng.uniform(0, 1e5, codes.size), rng.uniform(0, 1e4, codes.size), codes.astype(float)]
    )
    with path.open("wb") as fh:
        flowio.create_fcs(
            fh,
            data.ravel().tolist(),
            ["FSC-A", "CD19", "Population"],
            opt_channel_names=["", "CD19 PE", "gate"],
        )
    return path


def test_whole_file_and_channel_code_counts(tmp_path: Path) -> None:
    """A file counts all its events; FILE@CHANNEL=CODE counts that code (by $PnN or $PnS)."""
    codes = np.array([0] * 70 + [1] * 25 + [2] * 5)
    f = _write(tmp_path / "all.fcs", codes)
    assert count_population(PopulationSpec.parse(str(f))).events == 100
    assert count_population(PopulationSpec.parse(f"{f}@Population=1")).events == 25
    assert count_population(PopulationSpec.parse(f"{f}@gate=2")).events == 5


def test_bad_inputs_name_the_problem(tmp_path: Path) -> None:
    """Unknown channel lists the channels; a non-FCS file and a bad spec are clear errors."""
    f = _write(tmp_path / "a.fcs", np.zeros(10))
    with pytest.raises(AssayError, match="channels: FSC-A, CD19, Population"):
        count_population(PopulationSpec.parse(f"{f}@CD45=1"))
    junk = tmp_path / "junk.fcs"
    junk.write_text("not an fcs file")
    with pytest.raises(AssayError, match="not a readable FCS file"):
        count_population(PopulationSpec(path=junk))
    with pytest.raises(InputError, match="FILE@CHANNEL=CODE"):
        PopulationSpec.parse(f"{f}@Population=abc")


@pytest.mark.parametrize(
    ("mrd_events", "status"), [(19, "negative"), (20, "positive_nq"), (50, "positive")]
)
def test_cli_flow_fcs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mrd_events: int, status: str
) -> None:
    """`mrd flow-fcs` reads both populations and applies the 20/50-event rule."""
    codes = np.array([1] * mrd_events + [2] * (1000 - mrd_events))
    f = _write(tmp_path / "tube.fcs", codes)
    code = main(
        ["mrd", "flow-fcs", "--events", f"{f}@Population=1", "--cells", str(f), "--format", "json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["measurement"]["status"] == status
    assert doc["events"] == mrd_events
    assert doc["cells"] == 1000
    assert doc["lod"] == pytest.approx(20 / 1000)
    assert doc["measurement"]["sensitivity"] == pytest.approx(20 / 1000)
