"""Completion's tables: each edition's rules, the decision per enrollment, and certificates."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Labelled, check_in


class MinimumUnit(Labelled):
    SESSIONS = "sessions", _l("sessies")
    PERCENT = "percent", _l("procent van de sessies")


#: Defaults for an edition without a rules row: 80% of the sessions and every deadline.
DEFAULT_UNIT = MinimumUnit.PERCENT
DEFAULT_MINIMUM = 80


class CompletionRules(SQLModel, table=True):
    """What an edition asks of a participant to have completed it."""

    __tablename__ = "completion_rules"

    edition_id: int = Field(foreign_key="edition.id", primary_key=True, ondelete="CASCADE")
    #: Sessions attended at least: a number of sessions, or a percentage of them (`unit`).
    minimum: int = DEFAULT_MINIMUM
    unit: str = Field(default=DEFAULT_UNIT, max_length=10)
    #: Every deadline handed in (by the participant, or by their organisation's team).
    deadlines_required: bool = True
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("unit", MinimumUnit), name="completion_rules_unit"),
        CheckConstraint("minimum >= 0", name="completion_rules_minimum"),
    )


def rules_for(session, edition_id: int) -> CompletionRules:
    """The edition's rules, or the defaults (not stored) when it has none."""
    return session.get(CompletionRules, edition_id) or CompletionRules(edition_id=edition_id)


class CompletionDecision(SQLModel, table=True):
    """Whether one enrollment completed its edition: by the rules, or a coordinator's override."""

    __tablename__ = "completion_decision"

    enrollment_id: int = Field(foreign_key="enrollment.id", primary_key=True, ondelete="CASCADE")
    edition_id: int = Field(foreign_key="edition.id", index=True, ondelete="CASCADE")
    completed: bool
    #: Sessions attended and held (not cancelled) when it was decided.
    attended: int = 0
    sessions: int = 0
    #: Deadlines not handed in when it was decided.
    missing_deadlines: int = 0
    #: Set by a coordinator: applying the rules again leaves it as it is.
    overridden: bool = False
    #: The coordinator's reason for an override.
    reason: str = Field(default="", max_length=500)
    decided_at: datetime = Field(default_factory=utcnow)


class Certificate(SQLModel, table=True):
    """A certificate of participation (deelnamebewijs); its code is in the verification URL."""

    __tablename__ = "certificate"

    id: int | None = Field(default=None, primary_key=True)
    #: secrets.token_urlsafe(12): 16 characters, 96 random bits, in the short URL /bewijs/<code>.
    code: str = Field(max_length=40, unique=True)
    enrollment_id: int = Field(foreign_key="enrollment.id", unique=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    edition_id: int = Field(foreign_key="edition.id", index=True, ondelete="CASCADE")
    issued_at: datetime = Field(default_factory=utcnow)
    #: A revoked certificate is denied by the verification page.
    revoked_at: datetime | None = None
    revoked_reason: str = Field(default="", max_length=500)
