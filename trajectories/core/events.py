"""Domain events: recorded in the transaction that causes them, handled after it commits.

A service calls `record(session, SomeEvent(...))`. That writes an `EventRecord` row in the same
transaction (the audit log, and what the scheduler process tails) and queues the event on the
session. When the transaction commits, every handler subscribed to the event's type runs; when it
rolls back, the queued events are dropped, so a change that did not happen causes nothing.

Who handles what is one list, `SUBSCRIPTIONS` in `trajectories.app`, which `create_app` hands to
`connect`: reading that list tells every consequence of every event.

Handlers get the event and the `Database`, open their own session if they need one, and must not
raise: an error in one handler is logged and the others still run (the change is already made).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession

from trajectories.core.models import EventRecord

log = logging.getLogger(__name__)


_PENDING = "pending_domain_events"


@dataclass(frozen=True)
class Event:
    """Base class: subclasses are frozen dataclasses of ids and plain values."""

    @property
    def name(self) -> str:
        return type(self).__name__

    def payload(self) -> dict:
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in dataclasses.asdict(self).items()}


Handler = Callable[[Event, "object"], None]
Subscriptions = Mapping[type[Event], tuple[Handler, ...]]


_handlers: dict[type[Event], tuple[Handler, ...]] = {}


def connect(wiring: Subscriptions) -> None:
    """Make `wiring` (event type -> its handlers, run in that order) the whole wiring.
    It replaces what was there, so building the app twice still runs each handler once."""
    global _handlers
    _handlers = {event_type: tuple(handlers) for event_type, handlers in wiring.items()}


def subscriptions() -> dict[type[Event], tuple[Handler, ...]]:
    """The wiring now in force (a copy): tests add a handler and `connect` this back after."""
    return dict(_handlers)


def record(session: OrmSession, domain_event: Event) -> None:
    """Write the event into this transaction and queue it for the after-commit handlers."""
    session.add(EventRecord(name=domain_event.name, payload=domain_event.payload(),
                            actor=session.info.get("actor")))
    session.info.setdefault(_PENDING, []).append(domain_event)


def dispatch(domain_event: Event, db) -> None:
    for handler in _handlers.get(type(domain_event), ()):
        try:
            handler(domain_event, db)
        except Exception:
            log.exception("handler %s failed for %s", getattr(handler, "__name__", handler),
                          domain_event)


@sa_event.listens_for(OrmSession, "after_commit")
def _after_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released (SQLAlchemy fires this then too): not committed yet
    pending = session.info.pop(_PENDING, [])
    db = session.info.get("db")
    for domain_event in pending:
        dispatch(domain_event, db)


@sa_event.listens_for(OrmSession, "after_soft_rollback")
def _after_rollback(session: OrmSession, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
