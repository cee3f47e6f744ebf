"""Copy an edition to a new year: its sessions and deadlines on the same weekdays and local
times, in one transaction (the single-object services unwrapped, so a refusal leaves nothing).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import Edition, Track
from trajectories.core.clock import NonexistentLocalTime, to_local, to_utc
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Deadline, Material, Meeting, MeetingStatus


def _shift_moment(moment: datetime | None, days: timedelta, zone_name: str) -> datetime | None:
    """The same wall-clock time `days` later in the edition's zone (DST-correct)."""
    if moment is None:
        return None
    local = to_local(moment, zone_name)
    try:
        return to_utc(local.date() + days, local.time().replace(tzinfo=None), zone_name)
    except NonexistentLocalTime:
        raise InvalidInput(_l("Na het verschuiven valt een tijdstip in de overgang naar "
                              "zomertijd; kies een andere datum."), "first_date") from None


@service
def copy_edition(session: Session, edition: Edition, *, slug: str, name: str,
                first_date: date) -> Edition:
    """A new edition with the same settings, sessions (not the cancelled ones), materials and
    deadlines, all shifted so the first session falls on `first_date`; local clock times stay
    (13:30 stays 13:30 across daylight-saving time). Enrollments are not copied. The copy is a
    draft: nobody outside sees it, and no mail is planned, until it is published."""
    if not isinstance(first_date, date):
        raise InvalidInput(_l("Vul een geldige datum in."), "first_date")
    meetings = list(session.exec(select(Meeting).where(
        Meeting.edition_id == edition.id, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.on_date, Meeting.starts_at, Meeting.id)))
    deadlines = list(session.exec(select(Deadline).where(Deadline.edition_id == edition.id)
                                  .order_by(Deadline.due_date, Deadline.id)))
    anchor = meetings[0].on_date if meetings else (deadlines[0].due_date if deadlines else None)
    offset = (first_date - anchor) if anchor else timedelta(0)
    zone_name = edition.timezone
    track = session.get(Track, edition.track_id)
    copy = catalogue.create_edition.__wrapped__(
        session, track, slug=slug, name=name, timezone=zone_name, capacity=edition.capacity,
        place_unit=edition.place_unit, max_per_organisation=edition.max_per_organisation,
        registration_opens_at=_shift_moment(edition.registration_opens_at, offset, zone_name),
        registration_closes_at=_shift_moment(edition.registration_closes_at, offset, zone_name),
        eligibility=edition.eligibility, requires_approval=edition.requires_approval,
        coordinator_email=edition.coordinator_email, draft=True)
    materials = {}
    for material in session.exec(select(Material).where(
            Material.meeting_id.in_([m.id for m in meetings])).order_by(Material.id)):
        materials.setdefault(material.meeting_id, []).append(material)
    for meeting in meetings:
        local_start = to_local(meeting.starts_at, zone_name).time() if meeting.starts_at else None
        local_end = to_local(meeting.ends_at, zone_name).time() if meeting.ends_at else None
        try:
            new = schedule.plan_meeting.__wrapped__(
                session, copy, on_date=meeting.on_date + offset, start=local_start,
                end=local_end, title=meeting.title, kind=meeting.kind, mode=meeting.mode,
                location=meeting.location, online_url=meeting.online_url,
                description=meeting.description, coaching_notes=meeting.coaching_notes)
        except InvalidInput as exc:
            raise InvalidInput(f"{meeting.title}: {exc.message}", "first_date") from None
        for material in materials.get(meeting.id, []):
            session.add(Material(meeting_id=new.id, title=material.title, url=material.url,
                                 file_path=material.file_path))
    for deadline in deadlines:
        due_time = to_local(deadline.due_at, zone_name).time() if deadline.due_at else None
        try:
            schedule.set_deadline.__wrapped__(
                session, copy, title=deadline.title, description=deadline.description,
                due_date=deadline.due_date + offset, due_time=due_time,
                delivered_by=deadline.delivered_by)
        except InvalidInput as exc:
            raise InvalidInput(f"{deadline.title}: {exc.message}", "first_date") from None
    session.flush()
    return copy
