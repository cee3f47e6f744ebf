"""The schedule's tables: an edition's sessions (`Meeting` in code, so that it never clashes
with a database session), their materials, deadlines and per-person deadline extensions.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Labelled, check_in


def new_uid() -> str:
    return f"{uuid.uuid4()}@trajectories"


class MeetingKind(Labelled):
    SESSION = "session", _l("sessie")
    MASTERCLASS = "masterclass", _l("masterclass")
    CONGRESS = "congress", _l("congres")
    REGIONAL_MEETING = "regional_meeting", _l("regionale bijeenkomst")


class MeetingMode(Labelled):
    ONLINE = "online", _l("online")
    ON_SITE = "on_site", _l("op locatie")
    HYBRID = "hybrid", _l("hybride")


class MeetingStatus(Labelled):
    SCHEDULED = "scheduled", _l("gepland")
    CANCELLED = "cancelled", _l("geannuleerd")


class DeliveredBy(Labelled):
    PARTICIPANT = "participant", _l("elke deelnemer")
    ORGANISATION = "organisation", _l("één keer per gemeente")


class Meeting(SQLModel, table=True):
    """A session of an edition (sessie, bijeenkomst, masterclass, congres)."""

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    #: iCalendar UID, fixed for the session's life.
    uid: str = Field(default_factory=new_uid, max_length=120, unique=True)
    #: iCalendar SEQUENCE, raised on every change of time, place or status.
    sequence: int = 0
    title: str = Field(max_length=300)
    kind: str = Field(default=MeetingKind.SESSION, max_length=20)
    #: Local date in the edition's zone; always set, also while the time is to be announced.
    on_date: date
    #: Start and end in UTC; both None while the time is still to be announced.
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    mode: str = Field(default=MeetingMode.ONLINE, max_length=10)
    location: str = Field(default="", max_length=300)
    online_url: str = Field(default="", max_length=500)
    description: str = ""
    #: What the coaching mail after the session says was covered, and the question to reflect on.
    coaching_notes: str = ""
    status: str = Field(default=MeetingStatus.SCHEDULED, max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("kind", MeetingKind), name="meeting_kind"),
        CheckConstraint(check_in("mode", MeetingMode), name="meeting_mode"),
        CheckConstraint(check_in("status", MeetingStatus), name="meeting_status"),
        CheckConstraint(
            "(starts_at IS NULL AND ends_at IS NULL)"
            " OR (starts_at IS NOT NULL AND ends_at IS NOT NULL AND ends_at > starts_at)",
            name="meeting_end_after_start",
        ),
        CheckConstraint("sequence >= 0", name="meeting_sequence"),
    )

    @property
    def time_to_be_announced(self) -> bool:
        return self.starts_at is None


class Material(SQLModel, table=True):
    """A link or an uploaded file belonging to a session (presentation, reading)."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    #: External link; empty for an uploaded file.
    url: str = Field(default="", max_length=500)
    #: Path of an uploaded file below the var directory; empty for a link.
    file_path: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint("(url = '') <> (file_path = '')", name="material_link_or_file"),
    )


class Deadline(SQLModel, table=True):
    """A deliverable with its due date (oplevering)."""

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    uid: str = Field(default_factory=new_uid, max_length=120, unique=True)
    sequence: int = 0
    title: str = Field(max_length=300)
    description: str = ""
    #: Local due date in the edition's zone.
    due_date: date
    #: Exact moment in UTC, when the deadline has a time; None means the end of `due_date`.
    due_at: datetime | None = None
    delivered_by: str = Field(default=DeliveredBy.PARTICIPANT, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("delivered_by", DeliveredBy), name="deadline_delivered_by"),
    )


class DeadlineExtension(SQLModel, table=True):
    """More time on one deadline for one participant."""

    deadline_id: int = Field(foreign_key="deadline.id", primary_key=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", primary_key=True)
    due_date: date
    created_at: datetime = Field(default_factory=utcnow)
