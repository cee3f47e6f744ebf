"""The public catalogue: organisers, their tracks, editions and sessions."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, render_template
from sqlmodel import select

from ..clock import utcnow
from ..models import Cohort, Meeting, MeetingStatus, Organiser, Track
from ..status import cohort_status, spans, track_status
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


@bp.get("/")
def catalogue():
    return render_template("public/catalogue.html", catalogue=_catalogue())


def _organiser_or_404(slug: str) -> Organiser:
    organiser = db_session().exec(select(Organiser).where(Organiser.slug == slug)).first()
    if organiser is None:
        abort(404)
    return organiser


@bp.get("/<organiser_slug>/")
def organiser_page(organiser_slug: str):
    organiser = _organiser_or_404(organiser_slug)
    return render_template("public/catalogue.html", catalogue=_catalogue([organiser.id]),
                           organiser=organiser)


@bp.get("/<organiser_slug>/<track_slug>/")
def track_page(organiser_slug: str, track_slug: str):
    organiser = _organiser_or_404(organiser_slug)
    entry = next((t for t in _catalogue([organiser.id])[0]["tracks"]
                  if t["track"].slug == track_slug), None)
    if entry is None:
        abort(404)
    meetings = defaultdict(list)
    for meeting in db_session().exec(select(Meeting).where(
            Meeting.cohort_id.in_([e["cohort"].id for e in entry["editions"]]))
            .order_by(Meeting.on_date, Meeting.starts_at)):
        meetings[meeting.cohort_id].append(meeting)
    return render_template("public/track.html", organiser=organiser, entry=entry,
                           meetings=meetings)
