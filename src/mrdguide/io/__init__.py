"""File adapters: validated cohort import (CSV, Excel, Parquet, case JSON) and export.

Public API::

    from mrdguide.io import read_cohort, write_cohort, case_schema

``read_cohort`` never guesses units: an MRD value above 1 where a fraction is expected is
rejected, and percentages are accepted only in columns named ``*_percent`` or ``*_pct``.
"""

from mrdguide.io._casejson import case_schema, load_json_file, read_case_file
from mrdguide.io._export import write_cohort
from mrdguide.io.cohort import CohortReadResult, detect_kind, read_cohort

__all__ = [
    "CohortReadResult",
    "case_schema",
    "detect_kind",
    "load_json_file",
    "read_case_file",
    "read_cohort",
    "write_cohort",
]
