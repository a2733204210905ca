"""Exception and warning tree for mrdguide, and the one table that maps errors to outcomes.

::

    MRDGuideError
    ├── InputError                  invalid values; carries field, value and the rule broken
    │   ├── UnitError               percent given as a fraction, impossible magnitudes
    │   ├── TimepointError          unknown time point or sample outside any window
    │   ├── KaryotypeError          malformed ISCN string; names the token and its position
    │   ├── AssayError              assay data fail a quality rule (standard curve, AIRR columns)
    │   └── IngestError             a file failed validation; carries every IngestIssue
    ├── RuleSetError                rule file invalid, unknown protocol or parameter
    ├── AssignmentError             a case lacks what a protocol or model needs
    ├── EstimationError             degenerate data for an estimator
    ├── ConflictError               clashes with a stored record or its review state; no write
    ├── PermissionDeniedError       the actor's role or the four-eyes rule does not allow it
    └── StoreError                  the registry cannot complete an operation
        └── NotFoundError           a requested record does not exist

    MRDGuideWarning (UserWarning)
    ├── StatisticalWarning          small risk sets, unstable CIs, non-convergence
    ├── MethodologyWarning          immortal-time risk, missing landmark
    └── DataQualityWarning          sample outside window, sensitivity above a decision threshold

:func:`outcome_of` maps any exception to an :class:`ErrorOutcome`: the CLI exit code and the
HTTP status. The CLI applies it in one place (``mrdguide.cli.main``); the web app uses the same
table.
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


class KaryotypeError(InputError):
    """A karyotype string is not valid ISCN (as understood by :mod:`mrdguide.genetics`).

    The message names the offending token and its 0-based character position in the input.

    Attributes
    ----------
    token : str
        The offending token (or character).
    position : int
        0-based character offset of the problem in the input string.
    reason : str
        What is wrong, in words.
    """

    def __init__(self, reason: str, *, token: str, position: int) -> None:
        """Build the message from the reason, token and position."""
        super().__init__(
            f"malformed karyotype: {reason} (token {token!r} at position {position})",
            field="karyotype",
            value=token,
            rule=reason,
        )
        self.token = token
        self.position = position
        self.reason = reason


class StoreError(MRDGuideError):
    """The registry could not complete an operation."""


class NotFoundError(StoreError, LookupError):
    """A requested record does not exist."""


class ConflictError(MRDGuideError):
    """A write clashes with a stored record or with its review state; nothing was written.

    For example: a result is already stored for the same time point (amend it, with a reason),
    or a result that is not submitted cannot be authorised. ``existing`` holds the stored record
    in its wire format, and ``issues`` one line per clashing record, when there are any.
    """

    def __init__(
        self,
        message: str,
        *,
        existing: dict[str, Any] | None = None,
        issues: tuple[IngestIssue, ...] = (),
    ) -> None:
        super().__init__(message)
        self.existing = existing
        self.issues = issues


class PermissionDeniedError(MRDGuideError):
    """The actor's role, or the four-eyes rule, does not allow the operation."""


@dataclass(frozen=True, slots=True)
class ErrorOutcome:
    """What an error means to a caller: a CLI exit code, an HTTP status and a short code."""

    exit_code: int
    http_status: int
    code: str


#: Exit codes (CLI) and HTTP statuses (web) by exception class; the most specific class wins.
#: 0 OK and 2 usage are the CLI's own; 1/500 is the fallback for anything unexpected.
ERROR_TABLE: tuple[tuple[type[BaseException], ErrorOutcome], ...] = (
    (PermissionDeniedError, ErrorOutcome(7, 403, "permission_denied")),
    (ConflictError, ErrorOutcome(6, 409, "conflict")),
    (NotFoundError, ErrorOutcome(4, 404, "not_found")),
    (FileNotFoundError, ErrorOutcome(4, 404, "not_found")),
    (AssignmentError, ErrorOutcome(5, 409, "not_assignable")),
    (RuleSetError, ErrorOutcome(2, 422, "invalid_protocol")),
    (InputError, ErrorOutcome(3, 422, "invalid_input")),
    (EstimationError, ErrorOutcome(3, 422, "not_estimable")),
    (StoreError, ErrorOutcome(1, 500, "store_failure")),
    (MRDGuideError, ErrorOutcome(1, 500, "error")),
)
_FALLBACK = ErrorOutcome(1, 500, "internal_error")


def outcome_of(exc: BaseException) -> ErrorOutcome:
    """The outcome of ``exc`` from :data:`ERROR_TABLE` (nearest class in its MRO wins)."""
    for cls in type(exc).__mro__:
        for known, outcome in ERROR_TABLE:
            if cls is known:
                return outcome
    return _FALLBACK


class MRDGuideWarning(UserWarning):
    """Base class of every warning mrdguide emits."""


class StatisticalWarning(MRDGuideWarning):
    """Small risk sets, unstable confidence intervals, or non-convergence."""


class MethodologyWarning(MRDGuideWarning):
    """A method choice risks bias (immortal time, no landmark, confounding by indication)."""


class DataQualityWarning(MRDGuideWarning):
    """A sample is outside its window or its sensitivity is above a decision threshold."""


__all__ = [
    "ERROR_TABLE",
    "AssayError",
    "AssignmentError",
    "ConflictError",
    "DataQualityWarning",
    "ErrorOutcome",
    "EstimationError",
    "IngestError",
    "IngestIssue",
    "InputError",
    "KaryotypeError",
    "MRDGuideError",
    "MRDGuideWarning",
    "MethodologyWarning",
    "NotFoundError",
    "PermissionDeniedError",
    "RuleSetError",
    "StatisticalWarning",
    "StoreError",
    "TimepointError",
    "UnitError",
    "outcome_of",
]
