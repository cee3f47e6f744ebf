"""Organisers, tracks and editions (editions)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.catalogue.events import EditionPublished, EditionSaved, TrackSaved
from trajectories.catalogue.models import (
    Edition,
    Eligibility,
    Organiser,
    PlaceUnit,
    Track,
    TrackKind,
)
from trajectories.core import events
from trajectories.core import service as base
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.models import Country
from trajectories.core.service import service
from trajectories.schedule.models import Deadline

#: More places than any edition has; larger numbers would overflow the database's integer.
MAX_CAPACITY = 100_000

#: Slugs an organiser cannot have: an organiser's page is `/<slug>/`, so the site's own first path
#: segments are taken, and `p` (personal feeds are /feeds/p/<token>.ics beside
#: /feeds/<organiser>/<track>.ics). A test keeps this in step with the app's routes.
RESERVED_ORGANISER_SLUGS = frozenset({
    "afmelden", "api", "beheer", "bewijs", "bijeenkomsten", "embed", "feedback", "feeds",
    "gemeenten", "healthz", "inchecken", "inschrijving", "mail", "materiaal", "menukaart", "mijn",
    "p", "prijs", "privacy", "provincies", "static", "taal", "toegankelijkheid", "uitlenen",
})


@service
def create_organiser(session: Session, *, slug: str, name: str, country: str, email: str,
                     website: str = "") -> Organiser:
    organiser = Organiser(
        slug=base.slug(slug),
        name=base.text(name, "name", _l("Naam"), max_length=200),
        country=base.choice(country, list(Country), "country", _l("land")),
        email=base.email(email),
        website=base.url(website, "website", _l("Website")),
    )
    if organiser.slug in RESERVED_ORGANISER_SLUGS:
        raise InvalidInput(_l("Deze korte naam gebruikt de website zelf; kies een andere."),
                           "slug")
    if session.exec(select(Organiser).where(Organiser.slug == organiser.slug)).first():
        raise InvalidInput(_l("Er bestaat al een organisator met deze korte naam."), "slug")
    session.add(organiser)
    session.flush()
    return organiser


def _track_fields(data: dict) -> dict:
    return {
        "title": base.text(data.get("title"), "title", _l("Titel"), max_length=200),
        "summary": base.text(data.get("summary"), "summary", _l("Samenvatting"), required=False,
                             max_length=5000, multiline=True),
        "goals": base.text(data.get("goals"), "goals", _l("Doelen"), required=False,
                           max_length=5000, multiline=True),
        "target_group": base.text(data.get("target_group"), "target_group", _l("Doelgroep"),
                                  required=False, max_length=2000, multiline=True),
        "theme": base.text(data.get("theme"), "theme", _l("Thema"), required=False, max_length=100),
        "sdgs": base.sdg_numbers(data.get("sdgs")),
        "contact_name": base.text(data.get("contact_name"), "contact_name", _l("Contactpersoon"),
                                  required=False, max_length=200),
        "contact_email": base.email(data.get("contact_email"), "contact_email", required=False),
        "kind": base.choice(data.get("kind") or TrackKind.TRAJECTORY, list(TrackKind), "kind",
                            _l("soort")),
    }


def is_regional_meeting(track: Track) -> bool:
    return track.kind == TrackKind.REGIONAL_MEETING


def refuse_deadline(track: Track) -> None:
    """A regional meeting is one gathering: nothing to deliver, so no deadlines."""
    if is_regional_meeting(track):
        raise InvalidInput(_l("Een regionale bijeenkomst heeft geen deadlines: er is niets in te "
                              "leveren. Plan een sessie, of maak er een leertraject van."))


def _check_region(track: Track, edition_fields: dict) -> None:
    if is_regional_meeting(track) and not edition_fields.get("region"):
        raise InvalidInput(_l("Een regionale bijeenkomst is voor één regio: vul de regio in."),
                           "region")


@service
def create_track(session: Session, organiser: Organiser, *, slug: str, **data) -> Track:
    fields = _track_fields(data)
    slug_value = base.slug(slug)
    if session.exec(select(Track).where(Track.organiser_id == organiser.id,
                                        Track.slug == slug_value)).first():
        raise InvalidInput(_l("Deze organisator heeft al een leertraject met deze korte naam."),
                           "slug")
    track = Track(organiser_id=organiser.id, slug=slug_value, updated_at=utcnow(), **fields)
    session.add(track)
    session.flush()
    events.record(session, TrackSaved(track_id=track.id, organiser_id=organiser.id))
    return track


@service
def update_track(session: Session, track: Track, **data) -> Track:
    fields = _track_fields(data)
    if "kind" not in data:  # a caller that does not speak of the kind leaves it
        fields["kind"] = track.kind
    if fields["kind"] == TrackKind.REGIONAL_MEETING and not is_regional_meeting(track) and \
            session.exec(select(Deadline.id).join(Edition, Edition.id == Deadline.edition_id)
                         .where(Edition.track_id == track.id)).first():
        raise InvalidInput(_l("Dit leertraject heeft deadlines; een regionale bijeenkomst heeft "
                              "er geen. Verwijder eerst de deadlines."), "kind")
    for key, value in fields.items():
        setattr(track, key, value)
    track.updated_at = utcnow()
    session.add(track)
    session.flush()
    events.record(session, TrackSaved(track_id=track.id, organiser_id=track.organiser_id))
    return track


def _edition_fields(data: dict) -> dict:
    capacity = base.whole_number(data.get("capacity"), "capacity",
                                 _l("Het aantal plaatsen moet een heel getal zijn."))
    if capacity is not None:
        if capacity < 0:
            raise InvalidInput(_l("Het aantal plaatsen kan niet negatief zijn."), "capacity")
        if capacity > MAX_CAPACITY:
            raise InvalidInput(_l("Het aantal plaatsen is hoogstens %(max)s.", max=MAX_CAPACITY),
                               "capacity")
    per_organisation = base.whole_number(
        data.get("max_per_organisation"), "max_per_organisation",
        _l("Het maximum aantal deelnemers per gemeente moet een heel getal zijn."))
    if per_organisation is not None and not 1 <= per_organisation <= MAX_CAPACITY:
        raise InvalidInput(_l("Het maximum aantal deelnemers per gemeente ligt tussen 1 en "
                              "%(max)s; laat het leeg voor geen maximum.", max=MAX_CAPACITY),
                           "max_per_organisation")
    opens: datetime | None = data.get("registration_opens_at")
    closes: datetime | None = data.get("registration_closes_at")
    if opens and closes and closes <= opens:
        raise InvalidInput(_l("De inschrijving moet sluiten na de opening."),
                           "registration_closes_at")
    return {
        "name": base.text(data.get("name"), "name", _l("Naam"), max_length=200),
        "timezone": base.timezone_name(data.get("timezone") or "Europe/Amsterdam"),
        "capacity": capacity,
        "registration_opens_at": opens,
        "registration_closes_at": closes,
        "eligibility": base.choice(data.get("eligibility") or Eligibility.ANYONE, list(Eligibility),
                                   "eligibility", _l("wie mag deelnemen")),
        "place_unit": base.choice(data.get("place_unit") or PlaceUnit.PERSON, list(PlaceUnit),
                                  "place_unit", _l("wat een plaats is")),
        "max_per_organisation": per_organisation,
        "requires_approval": bool(data.get("requires_approval", False)),
        "coordinator_email": base.email(data.get("coordinator_email"), "coordinator_email",
                                        required=False),
        "region": base.text(data.get("region"), "region", _l("Regio"), required=False,
                            max_length=100),
    }


def _touch(session: Session, edition: Edition) -> None:
    """Move the edition's and its track's `updated_at` forward (feeds' Last-Modified)."""
    now = utcnow()
    edition.updated_at = max(now, edition.updated_at)
    session.add(edition)
    track = session.get(Track, edition.track_id)
    track.updated_at = max(now, track.updated_at)
    session.add(track)


@service
def create_edition(session: Session, track: Track, *, slug: str, draft: bool = False,
                  **data) -> Edition:
    """A new edition; `draft`: seen by coordinators only until `publish_edition`."""
    fields = _edition_fields(data)
    _check_region(track, fields)
    slug_value = base.slug(slug)
    if session.exec(select(Edition).where(Edition.track_id == track.id,
                                         Edition.slug == slug_value)).first():
        raise InvalidInput(_l("Dit leertraject heeft al een editie met deze korte naam."), "slug")
    edition = Edition(track_id=track.id, slug=slug_value, draft=bool(draft), **fields)
    session.add(edition)
    session.flush()
    _touch(session, edition)
    events.record(session, EditionSaved(edition_id=edition.id, track_id=track.id))
    return edition


@service
def update_edition(session: Session, edition: Edition, **data) -> Edition:
    fields = _edition_fields(data)
    if "region" not in data:  # a caller that does not speak of the region leaves it
        fields["region"] = edition.region
    _check_region(session.get(Track, edition.track_id), fields)
    for key, value in fields.items():
        setattr(edition, key, value)
    _touch(session, edition)
    session.flush()
    events.record(session, EditionSaved(edition_id=edition.id, track_id=edition.track_id))
    return edition


@service
def publish_edition(session: Session, edition: Edition) -> Edition:
    """Make a draft edition public: the catalogue and feeds show it, registration opens on its
    dates, and the scheduler plans its mails (after commit, through `EditionPublished`)."""
    edition = base.lock(session, Edition, edition.id)
    if not edition.draft:
        raise InvalidInput(_l("Deze editie is al gepubliceerd."))
    edition.draft = False
    _touch(session, edition)
    session.flush()
    events.record(session, EditionPublished(edition_id=edition.id, track_id=edition.track_id))
    return edition
