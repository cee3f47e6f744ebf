"""The shapes of the API's answers, as pydantic models: the serialisers build them, and the
OpenAPI document's schemas are generated from them (`openapi.py`), so the document cannot drift
from what the API sends. Field names are English, values the API's own words (status codes,
not the interface's labels); no field ever holds personal data.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(Shape):
    """Every 4xx and 5xx answer of the API."""

    error: str = Field(description="A stable code: bad_request, not_found, method_not_allowed…",
                       examples=["not_found"])
    message: str = Field(description="What went wrong, for a person (English).")


class Paging(Shape):
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=100)
    total: int = Field(ge=0, description="Items over all pages.")
    pages: int = Field(ge=1)


class Links(Shape):
    """Absolute URLs of this page and its neighbours (also in the Link header)."""

    self_: str = Field(serialization_alias="self")
    first: str
    last: str
    prev: str | None = None
    next: str | None = None


class Goal(Shape):
    """One of the 17 UN Sustainable Development Goals (Global Goals)."""

    number: int = Field(ge=1, le=17)
    name_nl: str
    name_en: str


class Organiser(Shape):
    id: int
    slug: str
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2: NL or BE.")
    website: str
    url: str = Field(description="The organiser's catalogue page on this site.")
    api_url: str
    tracks_url: str = Field(description="Its tracks in the API.")
    feed_url: str = Field(description="iCalendar feed of all its sessions and deadlines.")


class Registration(Shape):
    """The registration window; times in UTC."""

    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    open: bool = Field(description="Whether one can register now.")
    url: str | None = Field(description="The registration form, while registration is open.")


class Session(Shape):
    """A session of an edition (sessie, masterclass, congres)."""

    id: int
    uid: str = Field(description="Its iCalendar UID in the feeds, fixed for life.")
    edition_id: int
    title: str
    kind: str = Field(examples=["session", "masterclass", "congress", "regional_meeting"])
    mode: str = Field(examples=["online", "on_site", "hybrid"])
    status: str = Field(examples=["scheduled", "cancelled"])
    rescheduled: bool = Field(description="Moved since it was first announced.")
    date: dt.date = Field(description="Its day in the edition's time zone.")
    time_to_be_announced: bool
    timezone: str = Field(description="IANA zone of the edition.", examples=["Europe/Amsterdam"])
    start_utc: dt.datetime | None
    end_utc: dt.datetime | None
    start_local: dt.datetime | None = Field(description="In the edition's zone, with its offset.")
    end_local: dt.datetime | None
    location: str = Field(description="The place, for on-site and hybrid sessions.")


class Edition(Shape):
    id: int
    slug: str
    name: str
    track_id: int
    timezone: str
    status: str = Field(examples=["upcoming", "registration_open", "running", "finished"])
    first_day: dt.date | None
    last_day: dt.date | None
    capacity: int | None = Field(description="Places; null: no limit.")
    places_left: int | None = Field(
        description="Free places; null: no limit; 0: full, a registration joins the waiting list.")
    eligibility: str = Field(examples=["municipalities", "public_bodies", "anyone"])
    requires_approval: bool
    registration: Registration
    url: str = Field(description="The track's page on this site, at this edition.")
    api_url: str
    sessions_url: str
    feed_url: str


class EditionWithSessions(Edition):
    sessions: list[Session]


class Track(Shape):
    id: int
    slug: str
    organiser_id: int
    organiser_slug: str
    title: str
    summary: str
    goals: str
    target_group: str
    theme: str
    global_goals: list[Goal]
    status: str = Field(examples=["upcoming", "registration_open", "running", "finished"])
    full: bool = Field(description="Every edition open for registration is full.")
    url: str
    api_url: str
    feed_url: str
    editions: list[Edition]


class OrganiserList(Shape):
    data: list[Organiser]
    paging: Paging
    links: Links


class TrackList(Shape):
    data: list[Track]
    paging: Paging
    links: Links


class SessionList(Shape):
    data: list[Session]


class Index(Shape):
    """Where to start."""

    organisers: str
    tracks: str
    openapi: str
    documentation: str


#: Every shape the document describes (the order of its components).
SHAPES: tuple[type[Shape], ...] = (Index, Organiser, OrganiserList, Track, TrackList, Edition,
                                   EditionWithSessions, Session, SessionList, Registration, Goal,
                                   Paging, Links, Error)
