"""Result history and the four-eyes review: submit, authorise, return; the review queue.

Every review action needs a registered, active user with the role the action requires
(``lab`` submits; ``reviewer`` authorises or returns), and nobody authorises their own result.
The acting user is the registry's actor (``--actor``, ``MRDGUIDE_ACTOR``, the logged-in user).
"""

from __future__ import annotations

from mrdguide.domain import MRDMethod, ReviewAction, Role, Timepoint, Tissue
from mrdguide.errors import NotFoundError, PermissionDeniedError
from mrdguide.store import MRDVersion, Registry

__all__ = ["MRDVersion", "acting_role", "history", "queue", "review"]


def history(
    reg: Registry, patient_id: str, *, timepoint: Timepoint | None = None
) -> list[MRDVersion]:
    """Every version of the patient's MRD results (one time point, or all), oldest first."""
    return reg.mrd_history(patient_id, timepoint=None if timepoint is None else timepoint.value)


def acting_role(reg: Registry) -> Role:
    """The role of the registry's actor.

    Raises
    ------
    PermissionDeniedError
        If the actor is not a registered, active user.
    """
    try:
        user = reg.users.get(reg.actor)
    except NotFoundError:
        raise PermissionDeniedError(
            f"{reg.actor!r} is not a registered user; an administrator adds users with "
            "`mrdguide user add NAME --role ROLE`"
        ) from None
    if not user.active:
        raise PermissionDeniedError(f"user {reg.actor!r} is disabled")
    role: Role = user.role
    return role


def review(
    reg: Registry,
    patient_id: str,
    *,
    timepoint: Timepoint,
    tissue: Tissue,
    method: MRDMethod,
    action: ReviewAction,
    reason: str | None = None,
) -> MRDVersion:
    """Take ``action`` on the newest version of one MRD result, as the registry's actor.

    Raises
    ------
    PermissionDeniedError
        Unregistered or disabled actor, wrong role, or the actor recorded the result.
    ConflictError
        The result is not in a state the action can follow.
    NotFoundError
        No such patient or result.
    """
    role = acting_role(reg)
    key = (timepoint.value, tissue.value, method.value)
    return reg.review_mrd(patient_id, key, action, role=role, reason=reason)


def queue(reg: Registry) -> list[MRDVersion]:
    """Results awaiting review (submitted), oldest submission first."""
    return reg.review_queue()
