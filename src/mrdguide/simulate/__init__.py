"""Calibrated virtual cohorts, calibration checks and in-silico MRD-guided trials.

Everything this package produces is SYNTHETIC (patient ids ``SIM-000001`` ...). Randomness comes
only from ``numpy.random.Generator`` objects built from ``SeedSequence``; nothing touches the
global RNG. Dask and ``concurrent.futures`` are used only in :mod:`mrdguide.simulate.executors`.
"""

from mrdguide.simulate.calibrate import (
    CalibrationReport,
    CalibrationRow,
    CalibrationTarget,
    calibration_check,
    load_targets,
)
from mrdguide.simulate.cohort import SimulatedCohort, asan_like_cohort, simulate_cohort
from mrdguide.simulate.executors import ChunkExecutor, executor, make_executor
from mrdguide.simulate.params import (
    SimulationParams,
    default_params,
    load_params,
)
from mrdguide.simulate.trials import (
    AnalysisResult,
    AnalysisSummary,
    ReplicateSummary,
    TrialDesign,
    TrialResult,
    run_replicate,
    run_replicates,
    run_trial,
    trial_design,
)

__all__ = [
    "AnalysisResult",
    "AnalysisSummary",
    "CalibrationReport",
    "CalibrationRow",
    "CalibrationTarget",
    "ChunkExecutor",
    "ReplicateSummary",
    "SimulatedCohort",
    "SimulationParams",
    "TrialDesign",
    "TrialResult",
    "asan_like_cohort",
    "calibration_check",
    "default_params",
    "executor",
    "load_params",
    "load_targets",
    "make_executor",
    "run_replicate",
    "run_replicates",
    "run_trial",
    "simulate_cohort",
    "trial_design",
]
