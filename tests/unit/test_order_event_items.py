"""The item of an order's first event: written from the order itself, it is the item the timeline's
general path (``events_of_change``, an event model) writes for a creation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from orders_common.dal import order_events
from orders_common.dal.mapping import order_snapshot
from orders_common.dal.transaction import Transaction
from orders_common.logic.order_timeline import events_of_change
from orders_common.models.actor import Actor, ActorKind
from orders_common.models.order import Order
from orders_common.origin import Origin, acting
from tests.unit.test_order_item import orders

origins = st.builds(
    Origin.of,
    st.builds(Actor, kind=st.sampled_from(ActorKind), user_id=st.none() | st.integers(min_value=1, max_value=2**53)),
    request_id=st.none() | st.text(max_size=40),
)


@given(orders, origins)
def test_a_creations_event_item_is_the_one_the_event_model_writes(order: Order, origin: Origin) -> None:
    # Given a new order, created by some caller in some request
    with acting(origin):
        # When its creation's events are added to the transaction that stores it
        written = Transaction()
        order_events.add_events(written, None, order)

    # Then they are the one event the general path describes, item for item
    (event,) = events_of_change(None, order, origin)
    expected = Transaction()
    order_events._add(expected, order_events._described(event), order_snapshot(order))
    assert written.operations == expected.operations
    ((_, kind, body),) = written.operations
    assert (kind, body["Item"]["kind"], body["Item"]["before"]) == ("Put", "created", "{}")
    assert body["Item"]["actor_kind"] == origin.actor.kind.value
