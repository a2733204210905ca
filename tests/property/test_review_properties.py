"""The four-eyes review state machine: no path skips review, nobody authorises their own result."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mrdguide.domain import ReviewAction, ReviewState, Role, allowed_actions, review_transition
from mrdguide.errors import ConflictError, InputError, MRDGuideError, PermissionDeniedError

PEOPLE = ("ana", "ben", "cho")
ROLE_OF = {"ana": Role.LAB, "ben": Role.REVIEWER, "cho": Role.REVIEWER}
step = st.tuples(
    st.sampled_from(list(ReviewAction)),
    st.sampled_from(PEOPLE),
    st.sampled_from([None, "", "re-count the events"]),
)


def _walk(author: str, steps: list[tuple[ReviewAction, str, str | None]]) -> list[tuple]:
    """Apply every step that the machine accepts; return (state, action, actor) visited."""
    state = ReviewState.DRAFT
    path = []
    for action, actor, reason in steps:
        try:
            new = review_transition(
                state, action, actor=actor, author=author, role=ROLE_OF[actor], reason=reason
            )
        except MRDGuideError:
            continue
        path.append((state, action, actor, new))
        state = new
    return path


@given(author=st.sampled_from(PEOPLE), steps=st.lists(step, max_size=12))
def test_authorised_only_through_submission_by_someone_else(
    author: str, steps: list[tuple[ReviewAction, str, str | None]]
) -> None:
    """Every accepted authorisation follows a submission and is made by another person."""
    for before, action, actor, after in _walk(author, steps):
        if after is ReviewState.AUTHORISED:
            assert before is ReviewState.SUBMITTED
            assert action is ReviewAction.AUTHORISE
            assert actor != author


@given(author=st.sampled_from(PEOPLE), steps=st.lists(step, max_size=12))
def test_final_states_stay_final(
    author: str, steps: list[tuple[ReviewAction, str, str | None]]
) -> None:
    """Nothing follows 'authorised' or 'returned' (a change is a new version)."""
    seen_final = False
    for before, _, _, _ in _walk(author, steps):
        assert not seen_final
        seen_final = before in (ReviewState.AUTHORISED, ReviewState.RETURNED)
    assert allowed_actions(ReviewState.AUTHORISED) == ()
    assert allowed_actions(ReviewState.RETURNED) == ()


@given(state=st.sampled_from(list(ReviewState)), action=st.sampled_from(list(ReviewAction)))
def test_self_review_is_refused(state: ReviewState, action: ReviewAction) -> None:
    """Authorising or returning one's own result is refused whatever the state."""
    if action is ReviewAction.SUBMIT:
        return
    with pytest.raises((PermissionDeniedError, ConflictError)):
        review_transition(state, action, actor="ben", author="ben", role=Role.REVIEWER,
                          reason="x")  # fmt: skip


def test_the_happy_paths_and_their_errors() -> None:
    """draft -> submitted -> authorised; a return needs a reason; roles are checked."""
    s = review_transition(ReviewState.DRAFT, ReviewAction.SUBMIT, actor="ana", author="ana")
    assert s is ReviewState.SUBMITTED
    with pytest.raises(InputError, match="reason"):
        review_transition(s, ReviewAction.RETURN, actor="ben", author="ana", reason=" ")
    with pytest.raises(PermissionDeniedError, match="reviewer role"):
        review_transition(s, ReviewAction.AUTHORISE, actor="ana2", author="ana", role=Role.LAB)
    with pytest.raises(ConflictError, match="cannot authorise a result that is draft"):
        review_transition(ReviewState.DRAFT, ReviewAction.AUTHORISE, actor="ben", author="ana")
    done = review_transition(s, ReviewAction.AUTHORISE, actor="ben", author="ana")
    assert done is ReviewState.AUTHORISED
