"""The scheduler's plan: which moments are due, which were processed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow


class MomentStatus(StrEnum):
    PLANNED = "planned"  #: waiting for its time
    DONE = "done"  #: fired; its mails are in the outbox
    SKIPPED = "skipped"  #: fired after it stopped being useful, or planned when already past
    REMOVED = "removed"  #: no longer wanted (session cancelled, deadline removed or moved)


class PlannedMoment(SQLModel, table=True):
    """One moment of the plan, e.g. `reminder:session:42:P7D`, also the APScheduler job id."""

    __tablename__ = "planned_moment"

    id: int | None = Field(default=None, primary_key=True)
    #: Deterministic id: kind, subject, offset; the job store uses the same id.
    job_id: str = Field(max_length=160, unique=True)
    #: reminder, coaching, nudge, overdue, digest, welcome, invite, update, cancel, ...,
    #: loan_handover, loan_return.
    kind: str = Field(max_length=20)
    #: What the moment belongs to, e.g. "session:42", "deadline:7", "cohort:3" (an edition; stored
    #: keys keep their first spelling), "enrollment:9".
    subject: str = Field(max_length=60, index=True)
    #: None for a moment of no edition (a loan's reminders: subject "loan:<id>").
    edition_id: int | None = Field(default=None, foreign_key="edition.id", index=True,
                                   ondelete="CASCADE")
    #: For moments of one participant (a deadline extension); None: worked out when it fires.
    participant_id: int | None = Field(default=None, foreign_key="participant.id",
                                       ondelete="CASCADE")
    due_at: datetime
    #: After this moment the message is no longer worth sending: skipped and logged.
    useful_until: datetime
    status: str = Field(default=MomentStatus.PLANNED, max_length=10)
    processed_at: datetime | None = None
    #: Why it was skipped, or how many mails it queued.
    note: str = Field(default="", max_length=300)
    #: Raised on every change; the scheduler process copies it to `synced_version` once the job
    #: store matches, so it repairs exactly the moments that changed.
    version: int = 1
    synced_version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint("status IN ('planned', 'done', 'skipped', 'removed')",
                        name="planned_moment_status"),
        Index("ix_planned_moment_unsynced", "synced_version", "version"),
    )


class MomentRun(SQLModel, table=True):
    """What the scheduler did when a moment fired: how many mails it queued, or that it skipped
    the moment and why. One row per firing (a moment planned again after a change fires again),
    so a coordinator can read the edition's history on its mail schedule page."""

    __tablename__ = "moment_run"

    id: int | None = Field(default=None, primary_key=True)
    moment_id: int = Field(foreign_key="planned_moment.id", index=True, ondelete="CASCADE")
    #: None for a moment of no edition (a loan's reminders).
    edition_id: int | None = Field(default=None, foreign_key="edition.id", index=True,
                                   ondelete="CASCADE")
    #: The moment's due time when it fired.
    due_at: datetime
    fired_at: datetime
    queued: int = 0
    #: Why it was skipped (a SkipReason value); "" when it ran.
    skipped: str = Field(default="", max_length=20)
    #: Until when the moment was worth sending (the reason for a late skip).
    useful_until: datetime


class SkipReason(StrEnum):
    TOO_LATE = "too_late"  #: fired after it stopped being useful (the scheduler was down)
