"""The exception tree drawn in mrdguide.errors is the real one, and so is the error table."""

from __future__ import annotations

import re

import pytest

from mrdguide import errors
from mrdguide.errors import ERROR_TABLE, ErrorOutcome, outcome_of

_LINE = re.compile(r"^(?P<indent>[│ ]*)(?:├── |└── )?(?P<name>[A-Z]\w+)")


def _drawn_parents() -> dict[str, str | None]:
    """Parse the tree in the module docstring: class name -> drawn parent (None at a root)."""
    block = errors.__doc__.split("::", 1)[1].split("\n\n")  # type: ignore[union-attr]
    lines = [ln[4:] for chunk in block[1:3] for ln in chunk.splitlines() if ln.strip()]
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for ln in lines:
        m = _LINE.match(ln)
        assert m is not None, ln
        depth = len(m.group("indent")) // 4 + (0 if ln[0].isalpha() else 1)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[m.group("name")] = stack[-1][1] if stack else None
        stack.append((depth, m.group("name")))
    return parents


def test_every_error_and_warning_is_drawn() -> None:
    """Every exception or warning class in errors.__all__ appears in the drawing."""
    classes = {
        n for n in errors.__all__
        if isinstance(getattr(errors, n), type)
        and issubclass(getattr(errors, n), Warning | Exception)
    }  # fmt: skip
    assert classes == set(_drawn_parents())


@pytest.mark.parametrize("name", sorted(_drawn_parents()))
def test_drawn_parent_is_the_real_parent(name: str) -> None:
    """Each class's nearest mrdguide ancestor in __mro__ is the one drawn above it."""
    cls = getattr(errors, name)
    drawn = _drawn_parents()[name]
    ours = [c.__name__ for c in cls.__mro__[1:] if c.__module__ == errors.__name__]
    if drawn is None:
        assert not ours
    else:
        assert ours[0] == drawn


def test_karyotype_error_is_defined_in_errors_and_re_exported() -> None:
    """KaryotypeError lives in mrdguide.errors; mrdguide.genetics re-exports the same class."""
    from mrdguide import genetics

    assert errors.KaryotypeError.__module__ == "mrdguide.errors"
    assert genetics.KaryotypeError is errors.KaryotypeError


@pytest.mark.parametrize(
    ("exc", "exit_code", "status"),
    [
        (errors.InputError("x"), 3, 422),
        (errors.UnitError("x"), 3, 422),
        (errors.IngestError([]), 3, 422),
        (errors.KaryotypeError("bad", token="+", position=0), 3, 422),  # noqa: S106
        (errors.NotFoundError("x"), 4, 404),
        (FileNotFoundError("x"), 4, 404),
        (errors.AssignmentError("x"), 5, 409),
        (errors.ConflictError("x"), 6, 409),
        (errors.PermissionDeniedError("x"), 7, 403),
        (errors.StoreError("x"), 1, 500),
        (errors.RuleSetError("x"), 2, 422),
        (errors.EstimationError("x"), 3, 422),
        (RuntimeError("x"), 1, 500),
    ],
)
def test_error_table(exc: BaseException, exit_code: int, status: int) -> None:
    """Invalid input 3/422, not found 4/404, not assignable 5/409, conflict 6/409, store 1/500."""
    out = outcome_of(exc)
    assert (out.exit_code, out.http_status) == (exit_code, status)


def test_error_table_codes_are_distinct_per_class() -> None:
    """No class is listed twice, and every outcome has a non-empty code."""
    classes = [cls for cls, _ in ERROR_TABLE]
    assert len(classes) == len(set(classes))
    assert all(isinstance(o, ErrorOutcome) and o.code for _, o in ERROR_TABLE)
