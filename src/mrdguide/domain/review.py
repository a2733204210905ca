"""Review of laboratory results: the four-eyes state machine (pure).

Every stored version of a record (an MRD result, a case) has a review state::

    draft ──submit──▶ submitted ──authorise──▶ authorised
                          │
                          └────return (with a reason)──▶ returned

* Only a version in ``submitted`` can be authorised or returned, so no path reaches
  ``authorised`` without review.
* Nobody authorises (or returns) a version they recorded themselves: four eyes.
* ``returned`` and ``authorised`` are final for that version. A change is a new version (an
  amendment), which starts as a draft again; an amendment of an authorised record needs a
  reason.
* Historical data imported from a trial database or registry is recorded as already
  authorised (:data:`ReviewState.AUTHORISED` at creation), with the importing actor and the
  source file.

Roles (enforced by the services for every operation):

============  ==================================================================
``lab``       enter results, upload assay files, submit for review
``reviewer``  authorise or return submitted results (never their own)
``clinician`` read patients, risk groups and reports
``statistician`` read cohorts, run analyses and in-silico trials
``admin``     manage users, roles and API tokens; read and verify the audit trail
============  ==================================================================
"""

from __future__ import annotations

from enum import StrEnum

from mrdguide.errors import ConflictError, InputError, PermissionDeniedError

__all__ = [
    "ACTION_ROLES",
    "ReviewAction",
    "ReviewState",
    "Role",
    "allowed_actions",
    "review_transition",
]


class ReviewState(StrEnum):
    """Review state of one version of a record (persisted lowercase strings)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    AUTHORISED = "authorised"


class ReviewAction(StrEnum):
    """What a person does to a version under review."""

    SUBMIT = "submit"
    AUTHORISE = "authorise"
    RETURN = "return"


class Role(StrEnum):
    """Roles of registry users (persisted lowercase strings)."""

    LAB = "lab"
    REVIEWER = "reviewer"
    CLINICIAN = "clinician"
    STATISTICIAN = "statistician"
    ADMIN = "admin"


#: The role allowed to take each review action.
ACTION_ROLES: dict[ReviewAction, Role] = {
    ReviewAction.SUBMIT: Role.LAB,
    ReviewAction.AUTHORISE: Role.REVIEWER,
    ReviewAction.RETURN: Role.REVIEWER,
}

_TRANSITIONS: dict[tuple[ReviewState, ReviewAction], ReviewState] = {
    (ReviewState.DRAFT, ReviewAction.SUBMIT): ReviewState.SUBMITTED,
    (ReviewState.SUBMITTED, ReviewAction.AUTHORISE): ReviewState.AUTHORISED,
    (ReviewState.SUBMITTED, ReviewAction.RETURN): ReviewState.RETURNED,
}


def allowed_actions(state: ReviewState) -> tuple[ReviewAction, ...]:
    """The actions that can follow ``state`` (none for a final state)."""
    return tuple(a for (s, a) in _TRANSITIONS if s is state)


def review_transition(
    state: ReviewState,
    action: ReviewAction,
    *,
    actor: str,
    author: str,
    role: Role | None = None,
    reason: str | None = None,
) -> ReviewState:
    """The state after ``actor`` takes ``action`` on a version recorded by ``author``.

    Parameters
    ----------
    state : ReviewState
        The version's current state.
    action : ReviewAction
        What the actor does.
    actor, author : str
        Who acts, and who recorded the version.
    role : Role, optional
        The actor's role; when given it must be the one :data:`ACTION_ROLES` names.
    reason : str, optional
        Required (non-blank) to return a result.

    Raises
    ------
    ConflictError
        If the action cannot follow the state (for example authorising a draft).
    PermissionDeniedError
        If the actor authorises or returns their own version, or has the wrong role.
    InputError
        If a return has no reason.
    """
    target = _TRANSITIONS.get((state, action))
    if target is None:
        allowed = ", ".join(a.value for a in allowed_actions(state)) or "none (final state)"
        msg = f"cannot {action.value} a result that is {state.value}; allowed: {allowed}"
        raise ConflictError(msg)
    needed = ACTION_ROLES[action]
    if role is not None and role is not needed:
        msg = f"{action.value} needs the {needed.value} role; {actor!r} is {role.value}"
        raise PermissionDeniedError(msg)
    if action is not ReviewAction.SUBMIT and actor == author:
        msg = f"four eyes: {actor!r} recorded this result and cannot {action.value} it"
        raise PermissionDeniedError(msg)
    if action is ReviewAction.RETURN and not (reason and reason.strip()):
        raise InputError(
            "a returned result needs a reason",
            field="reason",
            value=reason,
            rule="non-blank reason to return",
        )
    return target
