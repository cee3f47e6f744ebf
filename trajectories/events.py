"""Domain events: recorded in the transaction that causes them, handled after it commits.

A service calls `record(session, SomeEvent(...))`. That writes an `EventRecord` row in the same
transaction (the audit log, and what the scheduler process tails) and queues the event on the
session. When the transaction commits, every handler subscribed to the event's type runs; when it
rolls back, the queued events are dropped, so a change that did not happen causes nothing.

Handlers get the event and the `Database`, open their own session if they need one, and must not
raise: an error in one handler is logged and the others still run (the change is already made).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession

from .models import EventRecord

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


# --- catalogue ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrackSaved(Event):
    track_id: int
    organiser_id: int


@dataclass(frozen=True)
class EditionSaved(Event):
    edition_id: int
    track_id: int


@dataclass(frozen=True)
class EditionPublished(Event):
    """A draft edition became public: feeds, catalogue, registration and mails take it up."""

    edition_id: int
    track_id: int


@dataclass(frozen=True)
class EditionDeleted(Event):
    edition_id: int
    track_id: int
    organiser_id: int
    track_slug: str
    edition_slug: str
    organiser_slug: str


# --- schedule ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MeetingPlanned(Event):
    meeting_id: int
    edition_id: int


@dataclass(frozen=True)
class MeetingChanged(Event):
    """Title, description, place or link changed; the time did not."""

    meeting_id: int
    edition_id: int


@dataclass(frozen=True)
class MeetingRescheduled(Event):
    meeting_id: int
    edition_id: int
    #: Its time before the move (ISO in the payload; start and end None: to be announced), so
    #: the update mail can say "from ... to ...".
    was_on_date: date | None = None
    was_starts_at: datetime | None = None
    was_ends_at: datetime | None = None


@dataclass(frozen=True)
class MeetingCancelled(Event):
    meeting_id: int
    edition_id: int


@dataclass(frozen=True)
class DeadlineSet(Event):
    """A deadline was created or its date, title or description changed."""

    deadline_id: int
    edition_id: int


@dataclass(frozen=True)
class DeadlineRemoved(Event):
    deadline_id: int
    edition_id: int
    #: Its title, for the audit log to name what is gone.
    title: str = ""


@dataclass(frozen=True)
class DeadlineExtended(Event):
    deadline_id: int
    edition_id: int
    participant_id: int


# --- people --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnrollmentApplied(Event):
    enrollment_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class EnrollmentAdmitted(Event):
    enrollment_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class EnrollmentWaitlisted(Event):
    enrollment_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class EnrollmentWithdrawn(Event):
    enrollment_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class SubmissionReceived(Event):
    submission_id: int
    deadline_id: int
    edition_id: int
    participant_id: int


@dataclass(frozen=True)
class AttendanceRecorded(Event):
    meeting_id: int
    edition_id: int


@dataclass(frozen=True)
class ParticipantChanged(Event):
    """Name, language or feed token changed, or the participant was erased."""

    participant_id: int


Handler = Callable[[Event, "object"], None]
_handlers: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(*event_types: type[Event]) -> Callable[[Handler], Handler]:
    """Decorator: run `handler(event, db)` after each commit that recorded one of these events."""

    def register(handler: Handler) -> Handler:
        for event_type in event_types:
            if handler not in _handlers[event_type]:
                _handlers[event_type].append(handler)
        return handler

    return register


def record(session: OrmSession, domain_event: Event) -> None:
    """Write the event into this transaction and queue it for the after-commit handlers."""
    session.add(EventRecord(name=domain_event.name, payload=domain_event.payload(),
                            actor=session.info.get("actor")))
    session.info.setdefault(_PENDING, []).append(domain_event)


def dispatch(domain_event: Event, db) -> None:
    for handler in list(_handlers.get(type(domain_event), ())):
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
