"""Exception and warning tree for mrdguide.

::

    MRDGuideError
    ├── InputError                  invalid values; carries field, value and the rule broken
    │   ├── UnitError               percent given as a fraction, impossible magnitudes
    │   ├── TimepointError          unknown time point or sample outside any window
    │   ├── KaryotypeError          malformed ISCN string (mrdguide.genetics; names token, position)
    │   └── IngestError             a file failed validation; carries every IngestIssue
    ├── RuleSetError                rule file invalid: schema, duplicate ids, unknown fields
    ├── AssignmentError             the engine cannot assign a group
    ├── EstimationError             degenerate data for an estimator
    ├── AssayError                  assay data fail a quality rule (standard curve, AIRR columns)
    └── StoreError                  the registry cannot complete an operation
        └── NotFoundError           a requested record does not exist

    MRDGuideWarning (UserWarning)
    ├── StatisticalWarning          small risk sets, unstable CIs, non-convergence
    ├── MethodologyWarning          immortal-time risk, missing landmark
    └── DataQualityWarning          sample outside window, sensitivity above a decision threshold
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class MRDGuideError(Exception):
    """Base class of every error mrdguide raises on purpose."""


class InputError(MRDGuideError, ValueError):
    """An input value breaks a documented rule.

    Parameters
    ----------
    message : str
        Human-readable explanation.
    field : str, optional
        Name (or dotted path) of the offending field.
    value : object, optional
        The offending value.
    rule : str, optional
        The rule that was broken, in words.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.rule = rule


class UnitError(InputError):
    """A value is in the wrong unit or of impossible magnitude (e.g. percent for fraction)."""


class TimepointError(InputError):
    """An unknown time point, or a sample that falls outside every protocol window."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestIssue:
    """One validation problem found while reading a file.

    ``row`` is 1-based and counts data rows (the header is row 0); ``None`` means the problem
    concerns the whole file (e.g. a missing column).
    """

    file: str
    row: int | None
    field: str | None
    value: Any
    rule: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        fld = f", field {self.field!r}" if self.field else ""
        val = "" if self.value is None else f", value {self.value!r}"
        return f"{where}{fld}{val}: {self.rule}"


class IngestError(InputError):
    """A file (or set of files) failed validation; nothing was written.

    ``issues`` lists every problem found, not just the first.
    """

    def __init__(self, issues: list[IngestIssue] | tuple[IngestIssue, ...]) -> None:
        self.issues: tuple[IngestIssue, ...] = tuple(issues)
        head = f"{len(self.issues)} problem(s) found; nothing was written"
        body = "\n".join(f"  - {i}" for i in self.issues[:50])
        more = "" if len(self.issues) <= 50 else f"\n  ... and {len(self.issues) - 50} more"
        super().__init__(f"{head}:\n{body}{more}")


class RuleSetError(MRDGuideError):
    """A protocol rule file is invalid."""


class AssignmentError(MRDGuideError):
    """The protocol engine cannot assign a risk group."""


class EstimationError(MRDGuideError, ValueError):
    """Data are degenerate for the requested estimator."""


class AssayError(InputError):
    """Assay data fail a quality rule (for example a standard curve fails acceptance)."""


class StoreError(MRDGuideError):
    """The registry could not complete an operation."""


class NotFoundError(StoreError, LookupError):
    """A requested record does not exist."""


class MRDGuideWarning(UserWarning):
    """Base class of every warning mrdguide emits."""


class StatisticalWarning(MRDGuideWarning):
    """Small risk sets, unstable confidence intervals, or non-convergence."""


class MethodologyWarning(MRDGuideWarning):
    """A method choice risks bias (immortal time, no landmark, confounding by indication)."""


class DataQualityWarning(MRDGuideWarning):
    """A sample is outside its window or its sensitivity is above a decision threshold."""


__all__ = [
    "AssayError",
    "AssignmentError",
    "DataQualityWarning",
    "EstimationError",
    "IngestError",
    "IngestIssue",
    "InputError",
    "MRDGuideError",
    "MRDGuideWarning",
    "MethodologyWarning",
    "NotFoundError",
    "RuleSetError",
    "StatisticalWarning",
    "StoreError",
    "TimepointError",
    "UnitError",
]
