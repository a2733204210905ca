"""The replication report section (mrdguide.reports.replication)."""

from __future__ import annotations

from mrdguide.reports.document import Section, Table
from mrdguide.reports.replication import replication_section, replication_sections
from mrdguide.simulate.replicate import replicate_asan, replicate_ukall2003


def test_asan_section_has_both_tables_and_formatted_cells() -> None:
    """Published-vs-simulated table plus the compatibility grid, every cell a string."""
    res = replicate_asan(replicates=6, seed=1, grid_replicates=2)
    sec = replication_section(res)
    assert isinstance(sec, Section) and sec.id == "replication-asan"
    assert len(sec.tables) == 2 and all(isinstance(t, Table) for t in sec.tables)
    main, grid = sec.tables
    assert len(main.rows) == len(res.rows)
    assert all(isinstance(c, str) for row in main.rows for c in row)
    assert main.rows[0][1] == "48"
    assert len(grid.rows) == 5 and len(grid.header) == 5
    assert "6 seeded replicates" in sec.paragraphs[0]


def test_ukall_section_has_no_grid_and_flags_rows_outside_the_spread() -> None:
    """Warnings name exactly the rows whose published figure is outside the spread."""
    res = replicate_ukall2003(replicates=8, seed=2)
    (sec,) = replication_sections((res,))
    assert len(sec.tables) == 1
    outside = [r.label for r in res.rows if r.n_values and not r.within_spread]
    assert len(sec.warnings) == len(outside)
