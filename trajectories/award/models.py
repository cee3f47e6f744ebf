"""The award's tables: a round per year per organiser, its criteria, the nominations of
municipalities, the jury and their scores.

A round's nomination period runs on the existing machinery: the round owns an edition of the
organiser's award track (`TrackKind.AWARD`, places per municipality) with one deadline,
"nominaties sluiten". Starting a nomination enrolls the civil servant in that edition; submitting
it hands in for that deadline. The scheduler's deadline nudges (only to those who have not
delivered) therefore reach exactly the municipalities that started and did not submit.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Labelled, check_in

#: A jury score per criterion lies between these (inclusive).
SCORE_MIN, SCORE_MAX = 1, 10


class Publication(Labelled):
    """What the public page shows of a round's outcome."""

    NOTHING = "nothing", _l("nog niets openbaar")
    SHORTLIST = "shortlist", _l("shortlist gepubliceerd")
    WINNER = "winner", _l("winnaar gepubliceerd")


class AwardRound(SQLModel, table=True):
    """One year's award of one organiser."""

    __tablename__ = "award_round"

    id: int | None = Field(default=None, primary_key=True)
    organiser_id: int = Field(foreign_key="organiser.id", index=True)
    #: The edition of the award track that carries the nomination period and its deadline.
    edition_id: int = Field(foreign_key="edition.id", unique=True)
    year: int
    title: str = Field(max_length=200)
    #: What the award is about and how to nominate (public).
    intro: str = ""
    #: First and last day (the edition's zone) on which nominations can be submitted.
    opens_on: date
    closes_on: date
    #: A Publication: nothing public, the shortlist, or the shortlist and the winner.
    publication: str = Field(default=Publication.NOTHING, max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        UniqueConstraint("organiser_id", "year", name="award_round_once_per_year"),
        CheckConstraint(check_in("publication", Publication), name="award_round_publication"),
        CheckConstraint("closes_on >= opens_on", name="award_round_period"),
    )


class AwardCriterion(SQLModel, table=True):
    """A named criterion the jury scores, with its weight in the total."""

    __tablename__ = "award_criterion"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="award_round.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    #: Relative weight, 1..10.
    weight: int = 1
    position: int = 0

    __table_args__ = (
        CheckConstraint("weight >= 1 AND weight <= 10", name="award_criterion_weight"),
    )


class AwardNomination(SQLModel, table=True):
    """A municipality's nomination in a round: a draft until submitted (one per municipality)."""

    __tablename__ = "award_nomination"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="award_round.id", index=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    #: The civil servant who started it (None once erased).
    started_by_id: int | None = Field(default=None, foreign_key="participant.id",
                                      ondelete="SET NULL")
    title: str = Field(default="", max_length=200)
    #: The draft text; once submitted, the submission holds the text and file the jury reads.
    text: str = ""
    submission_id: int | None = Field(default=None, foreign_key="submission.id",
                                      ondelete="SET NULL")
    submitted_at: datetime | None = None
    shortlisted: bool = False
    winner: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        UniqueConstraint("round_id", "organisation_id", name="award_nomination_once"),
    )


class AwardJuror(SQLModel, table=True):
    """A jury account (a `Coordinator` row with `jury_only`) on a round's jury."""

    __tablename__ = "award_juror"

    round_id: int = Field(foreign_key="award_round.id", primary_key=True, ondelete="CASCADE")
    coordinator_id: int = Field(foreign_key="coordinator.id", primary_key=True,
                                ondelete="CASCADE")


class AwardScore(SQLModel, table=True):
    """One juror's score of one nomination on one criterion."""

    __tablename__ = "award_score"

    nomination_id: int = Field(foreign_key="award_nomination.id", primary_key=True,
                               ondelete="CASCADE")
    criterion_id: int = Field(foreign_key="award_criterion.id", primary_key=True,
                              ondelete="CASCADE")
    coordinator_id: int = Field(foreign_key="coordinator.id", primary_key=True,
                                ondelete="CASCADE")
    score: int
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(f"score >= {SCORE_MIN} AND score <= {SCORE_MAX}", name="award_score_range"),
    )
