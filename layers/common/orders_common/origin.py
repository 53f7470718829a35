"""Who and what caused the changes being written: the actor and the request, for the order events.

Set once per invocation by the entry point (``runtime``) and read where an event is written, like the
logger's correlation id: passing it through every use case and port would put the same two values in
thirty signatures. Code running outside an invocation (scripts, tests on the store) acts as ``system``.
A ``ContextVar``, so that invocations sharing a process (the local server's threads) keep their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from orders_common.models.actor import Actor


class Origin(NamedTuple):
    """``actor`` is worked out when an event first needs it (an HTTP caller from the request's claims):
    invocations that write no event never pay for it. (A ``NamedTuple``, like the domain's records:
    every function builds one per invocation and loads the class at its cold start.)"""

    actor_of: Callable[[], Actor]  # called at most once (``new``)
    request_id: str | None = None
    reconciling: bool = False  # settling an earlier claim from what the venue says became of it

    @property
    def actor(self) -> Actor:
        return self.actor_of()

    @classmethod
    def new(cls, actor_of: Callable[[], Actor], request_id: str | None = None) -> Origin:
        """An origin whose actor is worked out by ``actor_of`` on first use, then kept."""
        return cls(_once(actor_of), request_id)

    @classmethod
    def of(cls, actor: Actor, request_id: str | None = None) -> Origin:
        return cls(lambda: actor, request_id)


def _once(work: Callable[[], Actor]) -> Callable[[], Actor]:
    # Not functools.cache: every HTTP invocation makes one, and cache's wrapper (copying the
    # function's name, doc and attributes) costs ten times this closure.
    kept: list[Actor] = []

    def actor() -> Actor:
        if not kept:
            kept.append(work())
        return kept[0]

    return actor


def _system_actor() -> Actor:
    # The actor model is loaded by the first event written, not by every function's import.
    from orders_common.models.actor import Actor, ActorKind

    return Actor(kind=ActorKind.SYSTEM)


SYSTEM = Origin.new(_system_actor)

_origin: ContextVar[Origin] = ContextVar("change_origin", default=SYSTEM)


def current_origin() -> Origin:
    return _origin.get()


class _Acting:
    # A class rather than a generator-based context manager: every invocation enters one.
    __slots__ = ("_origin", "_token")

    def __init__(self, origin: Origin) -> None:
        self._origin = origin

    def __enter__(self) -> Origin:
        self._token = _origin.set(self._origin)
        return self._origin

    def __exit__(self, *_: object) -> None:
        _origin.reset(self._token)


def acting(origin: Origin) -> _Acting:
    """Within the block, the changes written are ``origin``'s."""
    return _Acting(origin)


@contextmanager
def reconciling() -> Iterator[Origin]:
    """Within the block, changes settle a claim from the venue's answer (the timeline says so)."""
    with acting(current_origin()._replace(reconciling=True)) as origin:
        yield origin
