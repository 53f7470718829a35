"""Who caused a change: worked out once, only when an event needs it, and kept per invocation."""

from __future__ import annotations

from orders_common.models.actor import Actor, ActorKind
from orders_common.origin import SYSTEM, Origin, acting, current_origin, reconciling


def test_the_actor_is_worked_out_once_and_only_when_read() -> None:
    # Given an origin whose actor is costly to work out (an HTTP caller's claims)
    calls: list[int] = []

    def caller() -> Actor:
        calls.append(1)
        return Actor(kind=ActorKind.USER, user_id=7)

    origin = Origin.new(caller, request_id="r-1")

    # When nothing reads it, it is never worked out; read twice, it is worked out once
    assert calls == []
    assert origin.actor == origin.actor == Actor(kind=ActorKind.USER, user_id=7)
    assert calls == [1]


def test_outside_an_invocation_changes_are_the_systems() -> None:
    assert current_origin() is SYSTEM
    assert SYSTEM.actor == Actor(kind=ActorKind.SYSTEM)


def test_reconciling_keeps_the_actor_and_request_and_ends_with_its_block() -> None:
    # Given an invocation acting for a user
    user = Origin.of(Actor(kind=ActorKind.USER, user_id=3), request_id="r-2")
    with acting(user):
        # When a claim is settled within it
        with reconciling() as settling:
            # Then the same actor and request are named, as reconciling
            assert (settling.actor, settling.request_id, settling.reconciling) == (user.actor, "r-2", True)
            assert current_origin() == settling
        assert current_origin() is user and not user.reconciling
    assert current_origin() is SYSTEM
