"""The catalogue's tables: organisers, their tracks (leertrajecten) and each track's editions."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Country, Labelled, check_in


class Eligibility(Labelled):
    MUNICIPALITIES = "municipalities", _l("alleen gemeenten")
    PUBLIC_BODIES = "public_bodies", _l("gemeenten en provincies")
    ANYONE = "anyone", _l("iedereen")


class PlaceUnit(Labelled):
    """What one place of an edition is: a person, or an organisation (a municipality's team)."""

    PERSON = "person", _l("een deelnemer")
    ORGANISATION = "organisation", _l("een gemeente (of andere organisatie)")
class TrackKind(Labelled):
    """A learning track runs in editions with sessions and deliverables; a regional meeting's
    editions are single gatherings, one per region, without deadlines or completion."""

    TRAJECTORY = "trajectory", _l("leertraject")
    REGIONAL_MEETING = "regional_meeting", _l("regionale bijeenkomsten")
    #: The yearly award: one edition per round, its deadline the close of nominations.
    AWARD = "award", _l("prijs")


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
    #: Origins ("https://www.vng.nl") whose pages may frame the embedded catalogue (/embed/<slug>/).
    embed_origins: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (CheckConstraint(check_in("country", Country), name="organiser_country"),)


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
    #: A TrackKind: a learning track, or regional meetings (editions are single meetings).
    kind: str = Field(default=TrackKind.TRAJECTORY, max_length=20)
    #: Moves forward on every change to the track or anything in it (feeds' Last-Modified).
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def completes(self) -> bool:
        """Whether its editions end in completion (statuses, certificates) and an end-of-edition
        evaluation: a learning track's do; a regional meeting (one gathering) and an award
        round do not."""
        return self.kind == TrackKind.TRAJECTORY

    __table_args__ = (UniqueConstraint("organiser_id", "slug", name="track_slug_per_organiser"),
                      CheckConstraint(check_in("kind", TrackKind), name="track_kind"))


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
    #: What `capacity` and the waiting list count: people, or organisations (a municipality takes
    #: one place, and its colleagues join its team without taking another).
    place_unit: str = Field(default=PlaceUnit.PERSON, max_length=20)
    #: With places per organisation: at most this many participants of one organisation; None: any.
    max_per_organisation: int | None = None
    #: Whether a registration waits for a coordinator's admission.
    requires_approval: bool = False
    #: Coordinator mailbox for this edition (ORGANIZER of invitations, weekly digest).
    coordinator_email: str = Field(default="", max_length=254)
    #: A draft (a copy, or a new edition made in /beheer) is seen by coordinators only: the
    #: catalogue, feeds, registration and the scheduler ignore it until it is published.
    draft: bool = False
    #: The region a regional meeting is for ("Noord-Nederland"); empty for a learning track.
    region: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    #: Moves forward on every change to the edition, its sessions or deadlines, deletions included.
    updated_at: datetime = Field(default_factory=utcnow)

    # Constraint names keep their first spelling ("cohort"): SQLite cannot rename a constraint
    # without rebuilding the table (migration 0002 renamed the table, columns and indexes).
    __table_args__ = (
        UniqueConstraint("track_id", "slug", name="cohort_slug_per_track"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="cohort_capacity"),
        CheckConstraint(check_in("eligibility", Eligibility), name="cohort_eligibility"),
        CheckConstraint(check_in("place_unit", PlaceUnit), name="edition_place_unit"),
        CheckConstraint("max_per_organisation IS NULL OR max_per_organisation >= 1",
                        name="edition_max_per_organisation"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL"
            " OR registration_closes_at > registration_opens_at",
            name="cohort_registration_window",
        ),
    )
