"""The transition table: every allowed move, every refused one, per actor."""

from __future__ import annotations

import itertools

import pytest

from tickets.lifecycle import TRANSITIONS, Actor, TicketTransitionError, allowed_targets, check_transition
from tickets.models import Status

ALLOWED = {
    ("new", "open"),
    ("new", "pending"),
    ("new", "solved"),
    ("open", "pending"),
    ("open", "solved"),
    ("pending", "open"),
    ("pending", "solved"),
    ("solved", "open"),
    ("solved", "closed"),
}


@pytest.mark.parametrize(("current", "target"), sorted(itertools.product(Status.values, Status.values)))
def test_agents_may_make_exactly_the_moves_of_the_table(current: str, target: str) -> None:
    if (current, target) in ALLOWED:
        check_transition(current, target, Actor.AGENT)
    else:
        with pytest.raises(TicketTransitionError) as refused:
            check_transition(current, target, Actor.AGENT)
        assert refused.value.message  # a sentence for the view to show


def test_the_table_is_the_one_the_issue_describes() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert TRANSITIONS[Status.CLOSED] == frozenset()


@pytest.mark.parametrize("current", ["new", "open", "pending"])
def test_customers_may_only_solve(current: str) -> None:
    check_transition(current, Status.SOLVED, Actor.CUSTOMER)
    assert allowed_targets(current, Actor.CUSTOMER) == {Status.SOLVED}
    for target in {"open", "pending", "closed"} - {current}:
        with pytest.raises(TicketTransitionError):
            check_transition(current, target, Actor.CUSTOMER)


def test_closed_is_final_for_everyone() -> None:
    for actor, target in itertools.product(Actor, Status.values):
        with pytest.raises(TicketTransitionError, match=r"(?i)closed"):
            check_transition(Status.CLOSED, target, actor)


def test_unknown_status_is_refused() -> None:
    with pytest.raises(TicketTransitionError, match="Unknown status"):
        check_transition(Status.OPEN, "deleted", Actor.AGENT)
