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

from trajectories.catalogue import queries
from trajectories.catalogue.models import Organiser
from trajectories.catalogue.status import Status
from trajectories.core.clock import utcnow
from trajectories.core.reference import current, goals
from trajectories.interest.models import RETENTION_DAYS
from trajectories.people import uploads
from trajectories.people.registration import RETENTION
from trajectories.schedule import queries as programme
from trajectories.schedule.models import Material, Meeting
from trajectories.web import db_session, whole_number
from trajectories.web.page_cache import cached

bp = Blueprint("public", __name__)

#: Tracks per catalogue page: a page stays quick to load and to read whatever the catalogue's size.
PAGE_SIZE = 20


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


def _render_catalogue(organiser: Organiser | None = None, **context):
    s = db_session()
    filters = Filters.from_args(request.args)
    ids = queries.matching_track_ids(
        s, organiser.id if organiser else None,
        matches=filters.matches if filters.on_text else None,
        status=Status(filters.status) if filters.status else None)
    page = Page.of(request.args.get("pagina", ""), len(ids))
    entries = queries.entries(s, queries.tracks_in_order(s, ids[page.first - 1:page.last]))

    organisers = [organiser] if organiser else queries.organisers(s)
    tracks_by_organiser = defaultdict(list)
    for entry in entries:
        tracks_by_organiser[entry["track"].organiser_id].append(entry)
    # An organiser's page always shows its section ("no tracks yet"); the catalogue only those
    # with tracks on this page.
    shown = [{"organiser": o, "tracks": tracks_by_organiser[o.id]} for o in organisers
             if tracks_by_organiser[o.id] or (organiser and not filters.active)]

    def page_url(number: int) -> str:
        paging = {"pagina": number} if number > 1 else {}
        return url_for(request.endpoint, **request.view_args, **filters.as_args(), **paging)

    return render_template("public/catalogue.html", catalogue=shown, organiser=organiser,
                           organisers=organisers, filters=filters,
                           themes=queries.themes(s, organiser.id if organiser else None),
                           found=page.total, page=page, page_url=page_url,
                           statuses=list(Status), **context)


@bp.get("/")
def catalogue():
    return cached(_render_catalogue)


def _organiser_or_404(slug: str) -> Organiser:
    organiser = queries.organiser_by_slug(db_session(), slug)
    if organiser is None:
        abort(404)
    return organiser


@bp.get("/<organiser_slug>/")
def organiser_page(organiser_slug: str):
    return cached(lambda **context: _render_catalogue(_organiser_or_404(organiser_slug),
                                                      **context))


def track_entry(organiser_slug: str, track_slug: str) -> tuple[Organiser, dict]:
    """The organiser and the catalogue entry of one track, or 404."""
    organiser = _organiser_or_404(organiser_slug)
    track = queries.track_by_slug(db_session(), organiser.id, track_slug)
    if track is None:
        abort(404)
    return organiser, queries.entries(db_session(), [track])[0]


@bp.get("/<organiser_slug>/<track_slug>/")
def track_page(organiser_slug: str, track_slug: str):
    return cached(lambda **context: _render_track(organiser_slug, track_slug, **context))


def _render_track(organiser_slug: str, track_slug: str, **context) -> str:
    organiser, entry = track_entry(organiser_slug, track_slug)
    today = utcnow().date()
    meetings, materials = programme.public_programme(
        db_session(), [e["edition"].id for e in entry["editions"]], today)
    return render_template("public/track.html", organiser=organiser, entry=entry,
                           meetings=meetings, materials=materials, today=today,
                           groups=municipality_groups(), years=RETENTION_DAYS // 365,
                           **context)


def municipality_groups():
    """The municipalities that exist now (after the last import of mergers), grouped by country
    and province, for <optgroup>s."""
    countries = {"NL": gettext("Nederland"), "BE": gettext("Vlaanderen")}
    groups: dict[str, list] = {}
    for m in current(db_session()):
        groups.setdefault(f"{countries[m.country]} — {m.province}", []).append(m)
    return sorted(groups.items())


@bp.get("/materiaal/<int:material_id>")
def material_file(material_id: int):
    """An uploaded material of a session that has been held."""
    s = db_session()
    material = s.get(Material, material_id)
    meeting = s.get(Meeting, material.meeting_id) if material else None
    if material is None or not material.file_path or meeting.on_date >= utcnow().date():
        abort(404)
    return uploads.send_stored(material.file_path, lambda path: f"{material.title}{path.suffix}")


@bp.get("/bijeenkomsten/")
def regional_meetings():
    """Regional meetings by region and date: the ones ahead first, then those held."""
    return cached(_render_regional_meetings)


def _render_regional_meetings(**context) -> str:
    rows = queries.regional_meetings(db_session())
    today = utcnow().date()
    ahead = [r for r in rows if r["day"] is None or r["day"] >= today]
    held = [r for r in rows if r["day"] is not None and r["day"] < today][::-1]
    regions = sorted({r["edition"].region for r in rows if r["edition"].region})
    region = request.args.get("regio", "")
    if region and region in regions:
        ahead = [r for r in ahead if r["edition"].region == region]
        held = [r for r in held if r["edition"].region == region]
    else:
        region = ""
    return render_template("public/regional_meetings.html", ahead=ahead, held=held,
                           regions=regions, region=region, **context)


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html", retention=RETENTION,
                           interest_years=RETENTION_DAYS // 365)


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
