"""The lending tables: the objects an organiser lends, and the requests (loans) per period.

Two approved loans of one object never overlap: the database refuses it (`NO_OVERLAP_DDL`: an
exclusion constraint on PostgreSQL, triggers on SQLite), not only the services' checks; the
migration `0010_lending` creates the same.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DDL, CheckConstraint, event
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Labelled, check_in


class LoanStatus(Labelled):
    #: Confirmed by the municipality's mail link; waits in the object's queue.
    REQUESTED = "requested", _l("aangevraagd")
    #: The coordinator proposed another period; waits for the municipality to accept it.
    PROPOSED = "proposed", _l("andere periode voorgesteld")
    APPROVED = "approved", _l("goedgekeurd")
    DECLINED = "declined", _l("afgewezen")
    CANCELLED = "cancelled", _l("geannuleerd")


#: Requests still waiting for someone (the queue).
WAITING = (LoanStatus.REQUESTED, LoanStatus.PROPOSED)


class LendableObject(SQLModel, table=True):
    """Something an organiser lends to municipalities, e.g. the Tijdscapsule."""

    __tablename__ = "lendable_object"

    id: int | None = Field(default=None, primary_key=True)
    organiser_id: int = Field(foreign_key="organiser.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    #: The public address: /uitlenen/<slug> (unique across organisers).
    slug: str = Field(max_length=80, unique=True)
    description: str = Field(default="", max_length=4000)
    #: Whether municipalities can ask for it now (the form shows only then).
    available: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Loan(SQLModel, table=True):
    """One municipality's request for a period of one object, and what became of it."""

    __tablename__ = "loan"

    id: int | None = Field(default=None, primary_key=True)
    object_id: int = Field(foreign_key="lendable_object.id", index=True, ondelete="CASCADE")
    #: The municipality that borrows it.
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    #: The contact (name, e-mail, language): a participant row, so /mijn, export and erasure
    #: reach it. Never shown on public pages or feeds.
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True,
                                       ondelete="SET NULL")
    #: The hand-over day and the return day (both inclusive).
    starts_on: date
    ends_on: date
    #: Where it is handed over (place and address).
    place: str = Field(max_length=300)
    status: str = Field(default=LoanStatus.REQUESTED, max_length=10)
    #: The other period a coordinator proposed (status proposed).
    proposed_starts_on: date | None = None
    proposed_ends_on: date | None = None
    #: Why it was declined or cancelled.
    reason: str = Field(default="", max_length=500)
    #: When the municipality confirmed the request: the queue's order (first come, first served).
    requested_at: datetime = Field(default_factory=utcnow, index=True)
    decided_at: datetime | None = None
    #: The iCalendar SEQUENCE of its hand-over and return events (raised by every change).
    sequence: int = 0
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("status", LoanStatus), name="loan_status"),
        CheckConstraint("ends_on >= starts_on", name="loan_period"),
    )


#: The message the database gives when two approved loans of one object would overlap.
OVERLAP = "loan_overlap"

#: PostgreSQL: an exclusion constraint (GiST over the object and the inclusive date range).
POSTGRES_NO_OVERLAP = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE loan ADD CONSTRAINT loan_no_overlap EXCLUDE USING gist "
    "(object_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&) "
    "WHERE (status = 'approved')",
)
#: SQLite: triggers that refuse an approved loan overlapping another approved one.
_SQLITE_CHECK = (
    "WHEN NEW.status = 'approved' AND EXISTS (SELECT 1 FROM loan other "
    "WHERE other.object_id = NEW.object_id AND other.id IS NOT NEW.id "
    "AND other.status = 'approved' AND other.starts_on <= NEW.ends_on "
    "AND other.ends_on >= NEW.starts_on) "
    f"BEGIN SELECT RAISE(ABORT, '{OVERLAP}'); END"
)
SQLITE_NO_OVERLAP = (
    f"CREATE TRIGGER loan_no_overlap_insert BEFORE INSERT ON loan {_SQLITE_CHECK}",
    "CREATE TRIGGER loan_no_overlap_update BEFORE UPDATE OF status, starts_on, ends_on, "
    f"object_id ON loan {_SQLITE_CHECK}",
)

for _statement in POSTGRES_NO_OVERLAP:
    event.listen(Loan.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))
for _statement in SQLITE_NO_OVERLAP:
    event.listen(Loan.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
