"""The public catalogue: organisers, their tracks, editions and sessions; filters, search and
paging; the accessibility statement and the privacy page."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape
from sqlalchemy import func
from sqlmodel import select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.catalogue.status import Status, edition_status, spans, track_status
from trajectories.core.clock import utcnow
from trajectories.core.reference import goals
from trajectories.people import uploads
from trajectories.people.models import Enrollment, EnrollmentStatus
from trajectories.schedule.models import Material, Meeting, MeetingStatus
from trajectories.web import db_session, whole_number

bp = Blueprint("public", __name__)

#: Tracks per catalogue page: a page stays quick to load and to read whatever the catalogue's size.
PAGE_SIZE = 20


def _entries(tracks: list[Track]) -> list[dict]:
    """Each track with its editions, status and next session, in the order given.
    A fixed number of queries, whatever the number of tracks and editions."""
    s = db_session()
    editions = list(s.exec(select(Edition).where(Edition.track_id.in_([t.id for t in tracks]),
                                               Edition.draft.is_(False))
                          .order_by(Edition.created_at, Edition.id)))
    edition_spans = spans(s, [c.id for c in editions])
    now = utcnow()
    upcoming = s.exec(select(Meeting).where(
        Meeting.edition_id.in_([c.id for c in editions]), Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.on_date >= now.date()).order_by(Meeting.on_date, Meeting.starts_at))
    next_meeting: dict[int, Meeting] = {}
    for meeting in upcoming:
        next_meeting.setdefault(meeting.edition_id, meeting)
    admitted = dict(s.exec(select(Enrollment.edition_id, func.count()).where(
        Enrollment.edition_id.in_([c.id for c in editions if c.capacity is not None]),
        Enrollment.status == EnrollmentStatus.ADMITTED).group_by(Enrollment.edition_id)).all())

    editions_by_track = defaultdict(list)
    for edition in editions:
        editions_by_track[edition.track_id].append({
            "edition": edition,
            "status": edition_status(edition, edition_spans[edition.id], now),
            "span": edition_spans[edition.id],
            "next_meeting": next_meeting.get(edition.id),
            # None: no limit. 0: full, a new registration goes on the waiting list.
            "places_left": None if edition.capacity is None
            else max(edition.capacity - admitted.get(edition.id, 0), 0),
        })
    entries = []
    for track in tracks:
        rows = editions_by_track[track.id]
        status = track_status([e["status"] for e in rows])
        open_ones = [e for e in rows if e["status"] == Status.REGISTRATION_OPEN]
        entries.append({"track": track, "status": status, "editions": rows,
                        "places_left": None,
                        # Every edition open for registration is full: the waiting list.
                        "full": bool(open_ones) and all(e["places_left"] == 0 for e in open_ones)})
    return entries


@dataclass(frozen=True)
class Filters:
    """What the visitor filters on (all optional), read from the query string."""

    sdg: int | None = None
    theme: str = ""
    status: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        sdg = whole_number(args.get("sdg"))
        status = args.get("status", "")
        return cls(sdg=sdg if sdg in goals() else None,
                   theme=args.get("thema", "").strip()[:100],
                   status=status if status in list(Status) else "",
                   q=" ".join(args.get("q", "").split())[:200])

    @property
    def active(self) -> bool:
        return bool(self.sdg or self.theme or self.status or self.q)

    @property
    def on_text(self) -> bool:
        """Whether a filter looks at the track's own fields (the status looks at its editions)."""
        return bool(self.sdg or self.theme or self.q)

    def as_args(self) -> dict[str, str | int]:
        """The query string that gives these filters again (for the paging links)."""
        args = {"q": self.q, "sdg": self.sdg, "thema": self.theme, "status": self.status}
        return {name: value for name, value in args.items() if value}

    def matches(self, track) -> bool:
        """Whether a track (or a row with its text columns) passes sdg, theme and search."""
        if self.sdg and self.sdg not in (track.sdgs or []):
            return False
        if self.theme and track.theme.casefold() != self.theme.casefold():
            return False
        if self.q:
            haystack = " ".join([track.title, track.summary, track.goals, track.target_group,
                                 track.theme, *(goals()[n].name_nl for n in track.sdgs or []),
                                 *(goals()[n].name_en for n in track.sdgs or [])]).casefold()
            return all(word in haystack for word in self.q.casefold().split())
        return True


def _matching_track_ids(filters: Filters, organiser: Organiser | None) -> list[int]:
    """The ids of the tracks that pass the filters, in catalogue order (organiser, then title).
    Reads ids only, or the few columns the filters look at: whole tracks are loaded per page."""
    def in_order(*columns):
        query = (select(*columns).join(Organiser, Organiser.id == Track.organiser_id)
                 .order_by(Organiser.name, Organiser.id, Track.title, Track.id))
        if organiser is not None:
            query = query.where(Track.organiser_id == organiser.id)
        return db_session().exec(query).all()

    if filters.on_text:
        rows = in_order(Track.id, Track.title, Track.summary, Track.goals, Track.target_group,
                        Track.theme, Track.sdgs)
        ids = [row.id for row in rows if filters.matches(row)]
    else:
        ids = list(in_order(Track.id))
    if filters.status and ids:
        with_status = _tracks_with_status(ids, Status(filters.status))
        ids = [track_id for track_id in ids if track_id in with_status]
    return ids


def _tracks_with_status(track_ids: list[int], status: Status) -> set[int]:
    """Those of the tracks with an edition in this status (a track without editions is upcoming,
    as `track_status` says). The status is derived from dates, so it is computed, not queried."""
    s = db_session()
    editions = s.exec(select(Edition.id, Edition.track_id, Edition.timezone,
                            Edition.registration_opens_at, Edition.registration_closes_at)
                     .where(Edition.track_id.in_(track_ids), Edition.draft.is_(False))).all()
    edition_spans = spans(s, [c.id for c in editions])
    now = utcnow()
    found = {c.track_id for c in editions if edition_status(c, edition_spans[c.id], now) == status}
    if status == Status.UPCOMING:
        found |= set(track_ids) - {c.track_id for c in editions}
    return found


@dataclass(frozen=True)
class Page:
    """One page of the catalogue: its number (from 1), the number of pages, the tracks found."""

    number: int
    count: int
    total: int

    @classmethod
    def of(cls, requested: str, total: int) -> Page:
        """The page asked for. Anything that is not a page number (empty, text, zero, negative)
        gives the first page; a number past the end gives the last, so an old link still shows
        tracks rather than an empty page."""
        count = max(1, -(-total // PAGE_SIZE))
        number = whole_number(requested)
        if number is None:  # not a number, or one with more digits than any page: past the end
            number = count if requested.isascii() and requested.isdigit() else 1
        return cls(number=min(max(number, 1), count), count=count, total=total)

    @property
    def first(self) -> int:
        """Position of the first track on this page (from 1), for "21–40 van 400"."""
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return min(self.number * PAGE_SIZE, self.total)

    def numbers(self, around: int = 2) -> list[int | None]:
        """The page numbers to link: the first, the last and a few around this one; None where
        numbers are left out (a national catalogue has too many pages to list them all)."""
        shown = sorted({1, self.count, *range(self.number - around, self.number + around + 1)}
                       & set(range(1, self.count + 1)))
        numbers: list[int | None] = []
        for n in shown:
            if numbers and n - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


def _render_catalogue(organiser: Organiser | None = None):
    s = db_session()
    filters = Filters.from_args(request.args)
    ids = _matching_track_ids(filters, organiser)
    page = Page.of(request.args.get("pagina", ""), len(ids))
    on_page = ids[page.first - 1:page.last]
    by_id = {t.id: t for t in s.exec(select(Track).where(Track.id.in_(on_page)))}
    entries = _entries([by_id[track_id] for track_id in on_page])

    organisers = [organiser] if organiser else list(s.exec(select(Organiser)
                                                          .order_by(Organiser.name, Organiser.id)))
    tracks_by_organiser = defaultdict(list)
    for entry in entries:
        tracks_by_organiser[entry["track"].organiser_id].append(entry)
    # An organiser's page always shows its section ("no tracks yet"); the catalogue only those
    # with tracks on this page.
    shown = [{"organiser": o, "tracks": tracks_by_organiser[o.id]} for o in organisers
             if tracks_by_organiser[o.id] or (organiser and not filters.active)]

    theme_query = select(Track.theme).distinct().where(Track.theme != "")
    if organiser:
        theme_query = theme_query.where(Track.organiser_id == organiser.id)
    themes = sorted(s.exec(theme_query), key=str.casefold)

    def page_url(number: int) -> str:
        paging = {"pagina": number} if number > 1 else {}
        return url_for(request.endpoint, **request.view_args, **filters.as_args(), **paging)

    return render_template("public/catalogue.html", catalogue=shown, organiser=organiser,
                           organisers=organisers, filters=filters, themes=themes,
                           found=page.total, page=page, page_url=page_url,
                           statuses=list(Status))


@bp.get("/")
def catalogue():
    return _render_catalogue()


def _organiser_or_404(slug: str) -> Organiser:
    organiser = db_session().exec(select(Organiser).where(Organiser.slug == slug)).first()
    if organiser is None:
        abort(404)
    return organiser


@bp.get("/<organiser_slug>/")
def organiser_page(organiser_slug: str):
    return _render_catalogue(_organiser_or_404(organiser_slug))


def track_entry(organiser_slug: str, track_slug: str) -> tuple[Organiser, dict]:
    """The organiser and the catalogue entry of one track, or 404."""
    organiser = _organiser_or_404(organiser_slug)
    track = db_session().exec(select(Track).where(Track.organiser_id == organiser.id,
                                                  Track.slug == track_slug)).first()
    if track is None:
        abort(404)
    return organiser, _entries([track])[0]


@bp.get("/<organiser_slug>/<track_slug>/")
def track_page(organiser_slug: str, track_slug: str):
    organiser, entry = track_entry(organiser_slug, track_slug)
    s = db_session()
    meetings = defaultdict(list)
    meeting_rows = list(s.exec(select(Meeting).where(
        Meeting.edition_id.in_([e["edition"].id for e in entry["editions"]]))
        .order_by(Meeting.on_date, Meeting.starts_at)))
    for meeting in meeting_rows:
        meetings[meeting.edition_id].append(meeting)
    # Materials are published once a session has been held (as VVSG does with presentations).
    today = utcnow().date()
    materials = defaultdict(list)
    past_ids = [m.id for m in meeting_rows if m.on_date < today]
    if past_ids:
        for material in s.exec(select(Material).where(Material.meeting_id.in_(past_ids))
                               .order_by(Material.created_at, Material.id)):
            materials[material.meeting_id].append(material)
    return render_template("public/track.html", organiser=organiser, entry=entry,
                           meetings=meetings, materials=materials, today=today)


@bp.get("/materiaal/<int:material_id>")
def material_file(material_id: int):
    """An uploaded material of a session that has been held."""
    s = db_session()
    material = s.get(Material, material_id)
    meeting = s.get(Meeting, material.meeting_id) if material else None
    if material is None or not material.file_path or meeting.on_date >= utcnow().date():
        abort(404)
    path = uploads.resolve(material.file_path)
    if path is None:
        abort(404)
    return uploads.send(path, f"{material.title}{path.suffix}")


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/privacy")
def privacy():
    from trajectories.people.registration import RETENTION

    return render_template("public/privacy.html", retention=RETENTION)


@bp.app_template_global()
def sdg_goal(number: int):
    """The Global Goal by number (name in both languages, official colour)."""
    return goals()[number]


@bp.app_template_global()
def sdg_goal_list():
    """All 17 goals in order (the coordinator's `sdg_goals()` is the same as a dict)."""
    return list(goals().values())


@bp.app_template_global()
def now_utc():
    return utcnow()


@bp.app_template_global()
def sdg_tags(numbers) -> Markup:
    """The Global Goals of a track as coloured tags (classes from static/sdg.css), in the page's
    language. Built in Python and cached: a long catalogue shows hundreds of them."""
    return _sdg_tags(tuple(numbers or ()), str(get_locale() or "nl"), gettext("Global Goals"))


@functools.lru_cache(maxsize=4096)
def _sdg_tags(numbers: tuple[int, ...], language: str, label: str) -> Markup:
    if not numbers:
        return Markup("")
    items = "".join(
        f'<li class="sdg-tag sdg-{n}"><span class="sdg-number">{n}</span> '
        f"{escape(goals()[n].name_nl if language == 'nl' else goals()[n].name_en)}</li>"
        for n in numbers if n in goals())
    return Markup(f'<ul class="sdg-tags" aria-label="{escape(label)}">{items}</ul>')
