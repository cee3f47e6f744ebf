"""Sessions (meetings) and deadlines of an edition: plan, change, reschedule, cancel."""

from __future__ import annotations

from datetime import date, time

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Track
from trajectories.catalogue.services import _touch, refuse_deadline
from trajectories.core import events
from trajectories.core import service as base
from trajectories.core.clock import NonexistentLocalTime, to_utc, utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.people.models import Enrollment, EnrollmentStatus, Participant, Submission
from trajectories.schedule.events import (
    DeadlineExtended,
    DeadlineRemoved,
    DeadlineSet,
    MeetingCancelled,
    MeetingChanged,
    MeetingPlanned,
    MeetingRescheduled,
)
from trajectories.schedule.models import (
    Deadline,
    DeadlineExtension,
    DeliveredBy,
    Material,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
)


def _times(edition: Edition, on_date: date, start: time | None, end: time | None):
    """UTC start and end from a local date and wall-clock times; (None, None) for 'to be announced'."""
    if not isinstance(on_date, date):
        raise InvalidInput(_l("Vul een geldige datum in."), "on_date")
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        raise InvalidInput(_l("Vul zowel een begin- als een eindtijd in, of laat beide leeg."),
                           "start" if start is None else "end")
    if end <= start:
        raise InvalidInput(_l("De eindtijd moet na de begintijd liggen."), "end")
    try:
        return to_utc(on_date, start, edition.timezone), to_utc(on_date, end, edition.timezone)
    except NonexistentLocalTime:
        raise InvalidInput(_l("Dit tijdstip bestaat niet door de overgang naar zomertijd."),
                           "start") from None


def _meeting_fields(data: dict) -> dict:
    return {
        "title": base.text(data.get("title"), "title", _l("Titel")),
        "kind": base.choice(data.get("kind") or MeetingKind.SESSION, list(MeetingKind), "kind",
                            _l("soort")),
        "mode": base.choice(data.get("mode") or MeetingMode.ONLINE, list(MeetingMode), "mode",
                            _l("vorm")),
        "location": base.text(data.get("location"), "location", _l("Locatie"), required=False),
        "online_url": base.url(data.get("online_url"), "online_url", _l("Link naar de sessie")),
        "description": base.text(data.get("description"), "description", _l("Beschrijving"),
                                 required=False, max_length=10000, multiline=True),
        "coaching_notes": base.text(data.get("coaching_notes"), "coaching_notes",
                                    _l("Coachingstekst"), required=False, max_length=10000,
                                    multiline=True),
    }


@service
def plan_meeting(session: Session, edition: Edition, *, on_date: date, start: time | None = None,
                 end: time | None = None, **data) -> Meeting:
    """Add a session; without start and end its time is 'to be announced'."""
    fields = _meeting_fields(data)
    starts_at, ends_at = _times(edition, on_date, start, end)
    meeting = Meeting(edition_id=edition.id, on_date=on_date, starts_at=starts_at, ends_at=ends_at,
                      **fields)
    session.add(meeting)
    session.flush()
    _touch(session, edition)
    events.record(session, MeetingPlanned(meeting_id=meeting.id, edition_id=edition.id))
    return meeting


def _edition_of(session: Session, row) -> Edition:
    return session.get(Edition, row.edition_id)


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidInput(_l("Deze sessie is geannuleerd en kan niet meer worden gewijzigd."))


@service
def update_meeting(session: Session, meeting: Meeting, **data) -> Meeting:
    """Change what a session is about, where and how; its time stays (see reschedule_meeting)."""
    _require_scheduled(meeting)
    if not base.assign(meeting, _meeting_fields(data)):
        return meeting
    # Calendar clients take a change only with a higher SEQUENCE; any visible change counts.
    meeting.sequence += 1
    _meeting_changed(session, meeting)
    return meeting


def _meeting_changed(session: Session, meeting: Meeting) -> None:
    """Say that a session (or what hangs on it) changed: its edition's feeds and the plan follow."""
    meeting.updated_at = utcnow()
    session.add(meeting)
    _touch(session, _edition_of(session, meeting))
    session.flush()
    events.record(session, MeetingChanged(meeting_id=meeting.id, edition_id=meeting.edition_id))


@service
def reschedule_meeting(session: Session, meeting: Meeting, *, on_date: date,
                       start: time | None = None, end: time | None = None) -> Meeting:
    _require_scheduled(meeting)
    edition = _edition_of(session, meeting)
    starts_at, ends_at = _times(edition, on_date, start, end)
    if (on_date, starts_at, ends_at) == (meeting.on_date, meeting.starts_at, meeting.ends_at):
        return meeting
    was = MeetingRescheduled(meeting_id=meeting.id, edition_id=edition.id,
                             was_on_date=meeting.on_date, was_starts_at=meeting.starts_at,
                             was_ends_at=meeting.ends_at)
    meeting.on_date, meeting.starts_at, meeting.ends_at = on_date, starts_at, ends_at
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.add(meeting)
    _touch(session, edition)
    session.flush()
    events.record(session, was)
    return meeting


@service
def cancel_meeting(session: Session, meeting: Meeting) -> Meeting:
    """Cancel a session; it stays (as CANCELLED in feeds) so calendars remove it."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidInput(_l("Deze sessie is al geannuleerd."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.add(meeting)
    _touch(session, _edition_of(session, meeting))
    session.flush()
    events.record(session, MeetingCancelled(meeting_id=meeting.id,
                                            edition_id=meeting.edition_id))
    return meeting


@service
def add_material(session: Session, meeting: Meeting, *, title: str, url: str = "",
                 file_path: str = "") -> Material:
    title = base.text(title, "title", _l("Titel"))
    url = base.url(url, "url", _l("Link"))
    if bool(url) == bool(file_path):
        raise InvalidInput(_l("Geef een link of een bestand, niet allebei."), "url")
    material = Material(meeting_id=meeting.id, title=title, url=url, file_path=file_path)
    session.add(material)
    _meeting_changed(session, meeting)
    return material


def _deadline_fields(edition: Edition, data: dict) -> dict:
    due_date = data.get("due_date")
    if not isinstance(due_date, date):
        raise InvalidInput(_l("Vul een geldige datum in."), "due_date")
    due_time = data.get("due_time")
    due_at = None
    if due_time is not None:
        try:
            due_at = to_utc(due_date, due_time, edition.timezone)
        except NonexistentLocalTime:
            raise InvalidInput(_l("Dit tijdstip bestaat niet door de overgang naar zomertijd."),
                               "due_time") from None
    return {
        "title": base.text(data.get("title"), "title", _l("Titel")),
        "description": base.text(data.get("description"), "description", _l("Beschrijving"),
                                 required=False, max_length=10000, multiline=True),
        "due_date": due_date,
        "due_at": due_at,
        "delivered_by": base.choice(data.get("delivered_by") or DeliveredBy.PARTICIPANT,
                                    list(DeliveredBy), "delivered_by", _l("wie levert op")),
    }


@service
def set_deadline(session: Session, edition: Edition, deadline: Deadline | None = None,
                 **data) -> Deadline:
    """Create a deadline, or change an existing one (`deadline`); never on a regional meeting."""
    refuse_deadline(session.get(Track, edition.track_id))
    fields = _deadline_fields(edition, data)
    if deadline is None:
        deadline = Deadline(edition_id=edition.id, **fields)
    else:
        if not base.assign(deadline, fields):
            return deadline
        deadline.sequence += 1
        deadline.updated_at = utcnow()
    session.add(deadline)
    session.flush()
    _touch(session, edition)
    events.record(session, DeadlineSet(deadline_id=deadline.id, edition_id=edition.id))
    return deadline


@service
def remove_deadline(session: Session, deadline: Deadline) -> None:
    if session.exec(select(Submission).where(Submission.deadline_id == deadline.id)).first():
        raise InvalidInput(_l("Er zijn al inzendingen voor deze deadline; verwijderen kan niet meer."))
    edition = _edition_of(session, deadline)
    removed = DeadlineRemoved(deadline_id=deadline.id, edition_id=edition.id,
                              title=deadline.title)
    for extension in session.exec(select(DeadlineExtension).where(
            DeadlineExtension.deadline_id == deadline.id)):
        session.delete(extension)
    session.delete(deadline)
    _touch(session, edition)
    session.flush()
    events.record(session, removed)


@service
def extend_deadline(session: Session, deadline: Deadline, participant: Participant, *,
                    due_date: date) -> DeadlineExtension:
    """Give one participant more time; nudges and their personal feed follow the new date."""
    if not isinstance(due_date, date):
        raise InvalidInput(_l("Vul een geldige datum in."), "due_date")
    if due_date <= deadline.due_date:
        raise InvalidInput(_l("Een verlenging moet na de gewone deadline vallen."), "due_date")
    enrolled = session.exec(select(Enrollment).where(
        Enrollment.edition_id == deadline.edition_id, Enrollment.participant_id == participant.id,
        Enrollment.status == EnrollmentStatus.ADMITTED)).first()
    if not enrolled:
        raise InvalidInput(_l("Deze deelnemer is niet toegelaten tot deze editie."))
    extension = session.get(DeadlineExtension, (deadline.id, participant.id))
    if extension is None:
        extension = DeadlineExtension(deadline_id=deadline.id, participant_id=participant.id,
                                      due_date=due_date)
    extension.due_date = due_date
    session.add(extension)
    _touch(session, _edition_of(session, deadline))
    session.flush()
    events.record(session, DeadlineExtended(deadline_id=deadline.id,
                                            edition_id=deadline.edition_id,
                                            participant_id=participant.id))
    return extension


@service
def extend_deadline_for_organisation(session: Session, deadline: Deadline, organisation_id: int,
                                     *, due_date: date) -> list[DeadlineExtension]:
    """More time for a municipality (organisation): every admitted participant of it gets the
    extension, so its nudges and their personal feeds move together. All or none."""
    people = list(session.exec(select(Participant).join(
        Enrollment, Enrollment.participant_id == Participant.id).where(
        Enrollment.edition_id == deadline.edition_id,
        Enrollment.status == EnrollmentStatus.ADMITTED,
        Participant.organisation_id == organisation_id).order_by(Participant.id)))
    if not people:
        raise InvalidInput(_l("Deze gemeente heeft geen toegelaten deelnemers in deze editie."),
                           "who")
    return [extend_deadline.__wrapped__(session, deadline, person, due_date=due_date)
            for person in people]
