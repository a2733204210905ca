"""Write data/cs_absolute_risk.csv: 600 patients from the cause-specific generator, untied.

Run from the repository root: ``.venv/bin/python tests/reference/r/cs_absolute_risk_input.py``,
then ``Rscript r/cs_absolute_risk.R`` from ``tests/reference``.
Seeded (generator seed 99, jitter seed 1); times get a uniform jitter in [0, 0.01) days so that
no two event times tie (R's multi-state ``survfit`` and a Breslow combination differ at ties).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "unit" / "risk"))

from conftest import simulate_cause_specific  # noqa: E402
from mrdguide.risk import ModelSpec, design_matrix  # noqa: E402

if __name__ == "__main__":
    data = simulate_cause_specific(600, seed=99)
    X = design_matrix(data.covariates, ModelSpec(interaction=False)).X
    time = data.time + np.random.default_rng(1).uniform(0, 0.01, len(data))
    rows = np.column_stack([time, data.cause, X])
    np.savetxt(
        HERE.parent / "data" / "cs_absolute_risk.csv",
        rows,
        delimiter=",",
        fmt="%.17g",
        header="time,cause,gi,gh,m,neg",
        comments="",
    )
