"""The Menukaart's tables: examples and their files."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Labelled, check_in


class ExampleStatus(Labelled):
    DRAFT = "draft", _l("concept")
    AWAITING_CONSENT = "awaiting_consent", _l("wacht op toestemming")
    PROPOSED = "proposed", _l("voorgesteld")
    PUBLISHED = "published", _l("gepubliceerd")
    REJECTED = "rejected", _l("afgewezen")


class ExampleSource(Labelled):
    COORDINATOR = "coordinator", _l("geschreven door de coördinator")
    SUBMISSION = "submission", _l("gemaakt van een inzending")
    PROPOSAL = "proposal", _l("voorgesteld door de gemeente")


class Example(SQLModel, table=True):
    """One example in the Menukaart: what a municipality did, to inspire others."""

    __tablename__ = "menukaart_example"

    id: int | None = Field(default=None, primary_key=True)
    #: The organiser whose Menukaart holds it (its coordinators manage it).
    organiser_id: int = Field(foreign_key="organiser.id", index=True)
    #: The municipality that did it.
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=200)
    #: The short description shown in the list.
    summary: str = Field(default="", max_length=600)
    #: What was done, at length.
    what_was_done: str = ""
    #: Global Goals, 1..17, as tracks have them.
    sdgs: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    theme: str = Field(default="", max_length=100)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    #: The contact agreed that their name and e-mail address are shown; else they never are.
    contact_consent: bool = False
    #: Web addresses (https://...), in order.
    links: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    year: int | None = None
    status: str = Field(default=ExampleStatus.DRAFT, max_length=20, index=True)
    source: str = Field(default=ExampleSource.COORDINATOR, max_length=20)
    #: The deliverable it was made from (source "submission").
    submission_id: int | None = Field(default=None, foreign_key="submission.id",
                                      ondelete="SET NULL")
    #: Why a coordinator rejected a proposal (or that consent was refused).
    rejection_reason: str = Field(default="", max_length=1000)
    #: SHA-256 of the open single-use mail link (confirming a proposal, or giving consent);
    #: None when no link is open. The link itself is never stored.
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    token_expires_at: datetime | None = None
    #: Where the consent request or the proposal's confirmation was sent.
    requested_from: str = Field(default="", max_length=254)
    #: When the proposer confirmed by the mail link, or the municipality gave consent.
    confirmed_at: datetime | None = None
    published_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("status", ExampleStatus), name="menukaart_example_status"),
        CheckConstraint(check_in("source", ExampleSource), name="menukaart_example_source"),
        CheckConstraint("year IS NULL OR (year >= 1990 AND year <= 2200)",
                        name="menukaart_example_year"),
    )


class ExampleFile(SQLModel, table=True):
    """A file belonging to an example (a report, a poster), stored like session materials."""

    __tablename__ = "menukaart_file"

    id: int | None = Field(default=None, primary_key=True)
    example_id: int = Field(foreign_key="menukaart_example.id", index=True, ondelete="CASCADE")
    #: Path below the var directory (uploads/menukaart/...).
    file_path: str = Field(max_length=500)
    #: The name it is downloaded under.
    file_name: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
