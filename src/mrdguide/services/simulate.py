"""Simulation workflows: write a synthetic cohort, run an in-silico trial on an executor.

Everything produced here is SYNTHETIC (ids ``SIM-000001`` ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrdguide.errors import InputError
from mrdguide.io import write_cohort
from mrdguide.services.files import private_dir
from mrdguide.simulate import (
    TrialResult,
    asan_like_cohort,
    executor,
    run_trial,
    simulate_cohort,
    trial_design,
)
from mrdguide.simulate.cohort import SimulatedCohort
from mrdguide.simulate.executors import EXECUTOR_KINDS

DESIGNS: tuple[str, ...] = ("asan", "randomised", "deescalation")
COHORT_SUFFIXES: tuple[str, ...] = (".json", ".csv", ".parquet")
TrialProgress = Callable[[int, int], None]

__all__ = [
    "COHORT_SUFFIXES",
    "DESIGNS",
    "EXECUTOR_KINDS",
    "TrialRequest",
    "make_cohort",
    "run_trial_request",
    "write_cohort_file",
]


def make_cohort(*, n: int, seed: int, method: str, asan: bool) -> SimulatedCohort:
    """A seeded synthetic cohort (the Asan-like preset has its own size)."""
    return asan_like_cohort(seed) if asan else simulate_cohort(n, seed=seed, method=method)


def write_cohort_file(cohort: SimulatedCohort, out: Path) -> Path:
    """Write the cohort in the import format (case JSON, or the wide CSV/Parquet layout).

    Every file written here imports back with ``mrdguide import``.

    Raises
    ------
    InputError
        If the suffix is not one of :data:`COHORT_SUFFIXES`.
    """
    if out.suffix.lower() not in COHORT_SUFFIXES:
        raise InputError(
            f"--out must end in {', '.join(COHORT_SUFFIXES)}; got {out.name!r}",
            field="out",
            value=str(out),
            rule="suffix in {.json, .csv, .parquet}",
        )
    private_dir(out.parent)
    path = write_cohort(cohort.to_cases(), out)
    path.chmod(0o600)
    return path


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialRequest:
    """An in-silico trial to run: design, size, seed and where to run it."""

    design: str
    replicates: int
    seed: int
    changes: Mapping[str, Any]
    executor: str = "processes"
    workers: int | None = None
    scheduler: str | None = None
    chunk_size: int = 50
    include_null: bool = True

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise InputError(
                f"design must be one of {', '.join(DESIGNS)}; got {self.design!r}",
                field="design",
                value=self.design,
                rule=f"one of {DESIGNS}",
            )
        if self.executor not in EXECUTOR_KINDS:
            raise InputError(
                f"executor must be one of {', '.join(EXECUTOR_KINDS)}; got {self.executor!r}",
                field="executor",
                value=self.executor,
                rule=f"one of {EXECUTOR_KINDS}",
            )

    @property
    def total_runs(self) -> int:
        """Replicates to run, the null run included."""
        return self.replicates * (2 if self.include_null else 1)


def run_trial_request(req: TrialRequest, progress: TrialProgress | None = None) -> TrialResult:
    """Run the trial on the requested executor (serial, local processes or Dask).

    The Dask scheduler address comes from the request (the caller takes it from
    :class:`~mrdguide.settings.Settings`); without one a local cluster is started.
    """
    design = trial_design(req.design, **dict(req.changes))  # type: ignore[arg-type]
    kw: dict[str, Any] = {"workers": req.workers}
    if req.executor == "dask":
        kw["scheduler"] = req.scheduler
    with executor(req.executor, **kw) as ex:
        return run_trial(
            design,
            req.replicates,
            seed=req.seed,
            executor=ex,
            chunk_size=req.chunk_size,
            include_null=req.include_null,
            progress=progress,
        )
