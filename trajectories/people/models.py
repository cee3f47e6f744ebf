"""People's tables: organisations (municipalities first), participants, their enrollments in
editions, submissions for deadlines and attendance at sessions.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Country, Labelled, Language, check_in


class OrganisationKind(Labelled):
    MUNICIPALITY = "municipality", _l("gemeente")
    PROVINCE = "province", _l("provincie")
    OTHER = "other", _l("andere organisatie")


class EnrollmentStatus(Labelled):
    APPLIED = "applied", _l("aangemeld")
    ADMITTED = "admitted", _l("toegelaten")
    WAITLISTED = "waitlisted", _l("wachtlijst")
    WITHDRAWN = "withdrawn", _l("ingetrokken")
    COMPLETED = "completed", _l("afgerond")


#: Taking part in an edition: admitted, or finished it. Only they see its sessions and deadlines
#: (on /mijn/ and in the personal feed), deliver, are on its attendance and progress lists and
#: get the mail "to admitted participants", the coaching mail after a session (completion is
#: decided when the last one ends, before its coaching mail) and the evaluation. Places taken and
#: the other scheduler mails (invitations, reminders, nudges, welcome) go by ADMITTED alone.
TAKING_PART = (EnrollmentStatus.ADMITTED, EnrollmentStatus.COMPLETED)
#: Holding a place or waiting for one: what a participant can still withdraw from.
ACTIVE = (EnrollmentStatus.APPLIED, EnrollmentStatus.ADMITTED, EnrollmentStatus.WAITLISTED)
#: Enrolled at all, every status but withdrawn: enrolling again changes nothing.
ENROLLED = (*ACTIVE, EnrollmentStatus.COMPLETED)


class Organisation(SQLModel, table=True):
    """A municipality, province or other body that participants work for."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(default=OrganisationKind.MUNICIPALITY, max_length=20)
    country: str = Field(max_length=2)
    #: Official code: CBS (GM0363) in the Netherlands, NIS (11002) in Belgium; None for others.
    code: str | None = Field(default=None, max_length=10, unique=True)
    province: str = Field(default="", max_length=100)
    #: The municipality this one merged into (herindeling): its history counts under that one.
    merged_into_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)

    __table_args__ = (
        CheckConstraint(check_in("kind", OrganisationKind), name="organisation_kind"),
        CheckConstraint(check_in("country", Country), name="organisation_country"),
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
        CheckConstraint(check_in("language", Language), name="participant_language"),
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
        CheckConstraint(check_in("status", EnrollmentStatus), name="enrollment_status"),
        Index("ix_enrollment_edition_status", "edition_id", "status"),
    )


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
