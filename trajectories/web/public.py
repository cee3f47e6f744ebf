"""The public catalogue: organisers, their tracks, editions and sessions; filters and search;
the accessibility statement and the privacy page."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape
from sqlmodel import select

from ..clock import utcnow
from ..models import Cohort, Material, Meeting, MeetingStatus, Organiser, Track
from ..reference import goals
from ..status import Status, cohort_status, spans, track_status
from . import db_session

bp = Blueprint("public", __name__)


def _catalogue(organiser_ids: list[int] | None = None) -> list[dict]:
    """Organisers with their tracks, each track with its editions, status and next session.
    A fixed number of queries, whatever the size of the catalogue."""
    s = db_session()
    query = select(Organiser).order_by(Organiser.name)
    if organiser_ids is not None:
        query = query.where(Organiser.id.in_(organiser_ids))
    organisers = list(s.exec(query))
    tracks = list(s.exec(select(Track).where(Track.organiser_id.in_([o.id for o in organisers]))
                         .order_by(Track.title)))
    cohorts = list(s.exec(select(Cohort).where(Cohort.track_id.in_([t.id for t in tracks]))
                          .order_by(Cohort.created_at, Cohort.id)))
    cohort_spans = spans(s, [c.id for c in cohorts])
    now = utcnow()
    upcoming = s.exec(select(Meeting).where(
        Meeting.cohort_id.in_([c.id for c in cohorts]), Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.on_date >= now.date()).order_by(Meeting.on_date, Meeting.starts_at))
    next_meeting: dict[int, Meeting] = {}
    for meeting in upcoming:
        next_meeting.setdefault(meeting.cohort_id, meeting)

    cohorts_by_track = defaultdict(list)
    for cohort in cohorts:
        cohorts_by_track[cohort.track_id].append({
            "cohort": cohort,
            "status": cohort_status(cohort, cohort_spans[cohort.id], now),
            "span": cohort_spans[cohort.id],
            "next_meeting": next_meeting.get(cohort.id),
        })
    tracks_by_organiser = defaultdict(list)
    for track in tracks:
        editions = cohorts_by_track[track.id]
        tracks_by_organiser[track.organiser_id].append({
            "track": track,
            "status": track_status([e["status"] for e in editions]),
            "editions": editions,
        })
    return [{"organiser": o, "tracks": tracks_by_organiser[o.id]} for o in organisers]


@dataclass(frozen=True)
class Filters:
    """What the visitor filters on (all optional), read from the query string."""

    sdg: int | None = None
    theme: str = ""
    status: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        sdg = args.get("sdg", "")
        status = args.get("status", "")
        return cls(sdg=int(sdg) if sdg.isdigit() and int(sdg) in goals() else None,
                   theme=args.get("thema", "").strip()[:100],
                   status=status if status in list(Status) else "",
                   q=" ".join(args.get("q", "").split())[:200])

    @property
    def active(self) -> bool:
        return bool(self.sdg or self.theme or self.status or self.q)

    def matches(self, entry: dict) -> bool:
        track = entry["track"]
        if self.sdg and self.sdg not in (track.sdgs or []):
            return False
        if self.theme and track.theme.casefold() != self.theme.casefold():
            return False
        if self.status and self.status != entry["status"] and not any(
                e["status"] == self.status for e in entry["editions"]):
            return False
        if self.q:
            haystack = " ".join([track.title, track.summary, track.goals, track.target_group,
                                 track.theme, *(goals()[n].name_nl for n in track.sdgs or []),
                                 *(goals()[n].name_en for n in track.sdgs or [])]).casefold()
            return all(word in haystack for word in self.q.casefold().split())
        return True


def _render_catalogue(catalogue: list[dict], organiser: Organiser | None = None):
    filters = Filters.from_args(request.args)
    themes = sorted({t["track"].theme for block in catalogue for t in block["tracks"]
                     if t["track"].theme}, key=str.casefold)
    shown = [{"organiser": block["organiser"],
              "tracks": [t for t in block["tracks"] if filters.matches(t)]} for block in catalogue]
    found = sum(len(block["tracks"]) for block in shown)
    if filters.active:
        shown = [block for block in shown if block["tracks"]]
    return render_template("public/catalogue.html", catalogue=shown, organiser=organiser,
                           filters=filters, themes=themes, found=found,
                           statuses=list(Status))


@bp.get("/")
def catalogue():
    return _render_catalogue(_catalogue())


def _organiser_or_404(slug: str) -> Organiser:
    organiser = db_session().exec(select(Organiser).where(Organiser.slug == slug)).first()
    if organiser is None:
        abort(404)
    return organiser


@bp.get("/<organiser_slug>/")
def organiser_page(organiser_slug: str):
    organiser = _organiser_or_404(organiser_slug)
    return _render_catalogue(_catalogue([organiser.id]), organiser)


def track_entry(organiser_slug: str, track_slug: str) -> tuple[Organiser, dict]:
    """The organiser and the catalogue entry of one track, or 404."""
    organiser = _organiser_or_404(organiser_slug)
    entry = next((t for t in _catalogue([organiser.id])[0]["tracks"]
                  if t["track"].slug == track_slug), None)
    if entry is None:
        abort(404)
    return organiser, entry


@bp.get("/<organiser_slug>/<track_slug>/")
def track_page(organiser_slug: str, track_slug: str):
    organiser, entry = track_entry(organiser_slug, track_slug)
    s = db_session()
    meetings = defaultdict(list)
    meeting_rows = list(s.exec(select(Meeting).where(
        Meeting.cohort_id.in_([e["cohort"].id for e in entry["editions"]]))
        .order_by(Meeting.on_date, Meeting.starts_at)))
    for meeting in meeting_rows:
        meetings[meeting.cohort_id].append(meeting)
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
    var_dir = Path(current_app.config["SETTINGS"].var_dir)
    return send_from_directory(var_dir, material.file_path, as_attachment=True)


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/privacy")
def privacy():
    from ..services.registration import RETENTION

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
