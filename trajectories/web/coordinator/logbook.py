"""The audit log: who changed what, when (the `event_log` rows of the visible organisers)."""

from __future__ import annotations

from flask import render_template, request
from sqlmodel import select

from ...models import Cohort, Coordinator, EventRecord, Track
from .. import db_session, whole_number
from . import access, bp

PAGE = 50
#: How far back a coordinator's page looks (older events stay in the table).
WINDOW = 5000


@bp.get("/logboek")
def logbook():
    s = db_session()
    page = max(whole_number(request.args.get("pagina")) or 1, 1)
    ids = access.organiser_ids()
    records = list(s.exec(select(EventRecord).order_by(EventRecord.id.desc()).limit(WINDOW)))
    if ids is not None:
        tracks = set(s.exec(select(Track.id).where(Track.organiser_id.in_(ids))))
        cohorts = set(s.exec(select(Cohort.id).where(Cohort.track_id.in_(tracks))))
        records = [r for r in records if _belongs(r.payload, ids, tracks, cohorts)]
    shown = records[(page - 1) * PAGE: page * PAGE]
    actor_ids = {int(r.actor.split(":")[1]) for r in shown
                 if r.actor and r.actor.startswith("coordinator:") and r.actor[12:].isdigit()}
    names = {c.id: c.name for c in s.exec(select(Coordinator).where(
        Coordinator.id.in_(actor_ids)))} if actor_ids else {}
    return render_template("coordinator/logbook.html", records=shown, names=names, page=page,
                           more=len(records) > page * PAGE)


def _belongs(payload: dict, organisers, tracks, cohorts) -> bool:
    return (payload.get("organiser_id") in organisers or payload.get("track_id") in tracks
            or payload.get("cohort_id") in cohorts)
