"""The domain model: SQLModel tables with their constraints in the database as well.

Times: every `*_at` column holds an aware UTC moment (SQLModel's UTCDateTime: timestamptz on
PostgreSQL); the edition (`Edition.timezone`) says in which IANA zone they are shown, so a 13:30 session stays 13:30 local across daylight-saving changes.
Enumerations are short strings guarded by CHECK constraints (portable across SQLite and
PostgreSQL, readable in a dump). Code names follow DESIGN.md; a session is a `Meeting` here,
so that it never clashes with a database session.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .clock import utcnow


def _check_in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


def new_uid() -> str:
    return f"{uuid.uuid4()}@trajectories"


class Country(StrEnum):
    NL = "NL"
    BE = "BE"


class OrganisationKind(StrEnum):
    MUNICIPALITY = "municipality"
    PROVINCE = "province"
    OTHER = "other"


class Eligibility(StrEnum):
    MUNICIPALITIES = "municipalities"  #: only municipalities may join
    PUBLIC_BODIES = "public_bodies"  #: municipalities and provinces
    ANYONE = "anyone"


class MeetingKind(StrEnum):
    SESSION = "session"
    MASTERCLASS = "masterclass"
    CONGRESS = "congress"
    REGIONAL_MEETING = "regional_meeting"


class MeetingMode(StrEnum):
    ONLINE = "online"
    ON_SITE = "on_site"
    HYBRID = "hybrid"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class DeliveredBy(StrEnum):
    PARTICIPANT = "participant"
    ORGANISATION = "organisation"


class EnrollmentStatus(StrEnum):
    APPLIED = "applied"
    ADMITTED = "admitted"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class Language(StrEnum):
    NL = "nl"
    EN = "en"


class Organiser(SQLModel, table=True):
    """An association that runs tracks: VNG, VVSG."""

    id: int | None = Field(default=None, primary_key=True)
    #: Short name in URLs and feed paths, e.g. "vng".
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    #: The mailbox that sends invitations (ORGANIZER) and receives replies.
    email: str = Field(max_length=254)
    website: str = Field(default="", max_length=500)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (CheckConstraint(_check_in("country", Country), name="organiser_country"),)


class Track(SQLModel, table=True):
    """A learning track (leertraject), run in editions."""

    id: int | None = Field(default=None, primary_key=True)
    organiser_id: int = Field(foreign_key="organiser.id", index=True)
    slug: str = Field(max_length=80)
    title: str = Field(max_length=200)
    summary: str = ""
    goals: str = ""
    target_group: str = ""
    theme: str = Field(default="", max_length=100)
    #: Global Goals this track works on, 1..17 (checked per element by the services).
    sdgs: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    #: Moves forward on every change to the track or anything in it (feeds' Last-Modified).
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("organiser_id", "slug", name="track_slug_per_organiser"),)


class Edition(SQLModel, table=True):
    """An edition of a track ("2021", "tweede editie")."""

    id: int | None = Field(default=None, primary_key=True)
    track_id: int = Field(foreign_key="track.id", index=True)
    slug: str = Field(max_length=80)
    name: str = Field(max_length=200)
    #: IANA zone in which this edition's times are planned and shown.
    timezone: str = Field(default="Europe/Amsterdam", max_length=64)
    #: Places; None means no limit.
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    eligibility: str = Field(default=Eligibility.ANYONE, max_length=20)
    #: Whether a registration waits for a coordinator's admission.
    requires_approval: bool = False
    #: Coordinator mailbox for this edition (ORGANIZER of invitations, weekly digest).
    coordinator_email: str = Field(default="", max_length=254)
    #: A draft (a copy, or a new edition made in /beheer) is seen by coordinators only: the
    #: catalogue, feeds, registration and the scheduler ignore it until it is published.
    draft: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    #: Moves forward on every change to the edition, its sessions or deadlines, deletions included.
    updated_at: datetime = Field(default_factory=utcnow)

    # Constraint names keep their first spelling ("cohort"): SQLite cannot rename a constraint
    # without rebuilding the table (migration 0002 renamed the table, columns and indexes).
    __table_args__ = (
        UniqueConstraint("track_id", "slug", name="cohort_slug_per_track"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="cohort_capacity"),
        CheckConstraint(_check_in("eligibility", Eligibility), name="cohort_eligibility"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL"
            " OR registration_closes_at > registration_opens_at",
            name="cohort_registration_window",
        ),
    )


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
        CheckConstraint(_check_in("kind", MeetingKind), name="meeting_kind"),
        CheckConstraint(_check_in("mode", MeetingMode), name="meeting_mode"),
        CheckConstraint(_check_in("status", MeetingStatus), name="meeting_status"),
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
        CheckConstraint(_check_in("delivered_by", DeliveredBy), name="deadline_delivered_by"),
    )


class Organisation(SQLModel, table=True):
    """A municipality, province or other body that participants work for."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(default=OrganisationKind.MUNICIPALITY, max_length=20)
    country: str = Field(max_length=2)
    #: Official code: CBS (GM0363) in the Netherlands, NIS (11002) in Belgium; None for others.
    code: str | None = Field(default=None, max_length=10, unique=True)
    province: str = Field(default="", max_length=100)

    __table_args__ = (
        CheckConstraint(_check_in("kind", OrganisationKind), name="organisation_kind"),
        CheckConstraint(_check_in("country", Country), name="organisation_country"),
    )


class Participant(SQLModel, table=True):
    """A civil servant, young challenger or council member taking part."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    #: Stored lower-case, so uniqueness is case-insensitive on every database.
    email: str = Field(max_length=254, unique=True)
    role: str = Field(default="", max_length=200)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    language: str = Field(default=Language.NL, max_length=2)
    #: SHA-256 of the personal feed token; the token itself is never stored.
    feed_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(_check_in("language", Language), name="participant_language"),
        CheckConstraint("email = lower(email)", name="participant_email_lower"),
    )


class Enrollment(SQLModel, table=True):
    """A participant's place in an edition."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    status: str = Field(default=EnrollmentStatus.APPLIED, max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        UniqueConstraint("participant_id", "edition_id", name="enrollment_once_per_cohort"),
        CheckConstraint(_check_in("status", EnrollmentStatus), name="enrollment_status"),
        Index("ix_enrollment_edition_status", "edition_id", "status"),
    )


class DeadlineExtension(SQLModel, table=True):
    """More time on one deadline for one participant."""

    deadline_id: int = Field(foreign_key="deadline.id", primary_key=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", primary_key=True)
    due_date: date
    created_at: datetime = Field(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """What a participant delivered for a deadline (inzending); resubmitting replaces it."""

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadline.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    text: str = ""
    #: Path of an uploaded file below the var directory, if any.
    file_path: str = Field(default="", max_length=500)
    file_name: str = Field(default="", max_length=255)
    submitted_at: datetime = Field(default_factory=utcnow)
    #: Delivered after the (possibly extended) due date.
    late: bool = False

    __table_args__ = (
        UniqueConstraint("deadline_id", "participant_id", name="submission_once_per_participant"),
    )


class Attendance(SQLModel, table=True):
    """Whether a participant attended a session."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", primary_key=True)
    present: bool
    recorded_at: datetime = Field(default_factory=utcnow)


class Coordinator(SQLModel, table=True):
    """A staff account of an organiser; an admin sees all organisers."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    #: None only for admins.
    organiser_id: int | None = Field(default=None, foreign_key="organiser.id", index=True)
    is_admin: bool = False
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="coordinator_email_lower"),
        CheckConstraint("is_admin OR organiser_id IS NOT NULL", name="coordinator_has_organiser"),
    )


class EventRecord(SQLModel, table=True):
    """Every domain event, written in the transaction that caused it.

    The audit log (who changed what, when) and the feed the scheduler process tails to re-plan.
    """

    __tablename__ = "event_log"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, index=True)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: Who acted: "coordinator:3", "participant:12", "cli", "scheduler"; None when unknown.
    actor: str | None = Field(default=None, max_length=80)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)


class Heartbeat(SQLModel, table=True):
    """The last sign of life of a background process (the active scheduler), for /healthz."""

    name: str = Field(primary_key=True, max_length=40)
    beat_at: datetime = Field(default_factory=utcnow)
    #: Which process: "host:pid".
    holder: str = Field(default="", max_length=120)
