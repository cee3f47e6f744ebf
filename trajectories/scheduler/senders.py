"""One function per kind of moment: what it sends, to whom, when it fires (`SENDERS`).

Each reads the moment's subject again (it may have changed or gone since it was planned), works
out its recipients now (`trajectories.mail.recipients`) and queues its mails in the caller's
transaction: one INSERT ... SELECT for a mail that is the same for everyone (`fan_out`), one
mail per person where each is personal (invitations with their calendar, welcomes). Returns how
many it queued.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.completion.services import apply_rules
from trajectories.core.clock import local_today, to_local
from trajectories.core.models import EventRecord
from trajectories.feedback.queries import not_evaluated
from trajectories.feedback.tokens import evaluation_url, session_url
from trajectories.lending.reminders import SENDERS as LOAN_SENDERS
from trajectories.mail.fanout import fan_out, render_personal
from trajectories.mail.invitation import invitation
from trajectories.mail.models import MailKind, MailStatus, OutboxMessage
from trajectories.mail.outbox import queue_mail
from trajectories.mail.preferences import unsubscribe_url
from trajectories.mail.recipients import (
    admitted,
    admitted_ids,
    enrolled_ids,
    invited,
    not_delivered,
    owing_ids,
)
from trajectories.mail.render import render_mail
from trajectories.people.models import (
    TAKING_PART,
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Participant,
)
from trajectories.schedule.models import (
    Deadline,
    DeadlineExtension,
    Material,
    Meeting,
    MeetingStatus,
)
from trajectories.scheduler.models import MomentStatus, PlannedMoment
from trajectories.scheduler.moments import meeting_over


def _context(session: Session, edition_id: int) -> tuple[Edition, Track, Organiser]:
    edition = session.get(Edition, edition_id)
    track = session.get(Track, edition.track_id)
    return edition, track, session.get(Organiser, track.organiser_id)


def _materials(session: Session, meeting_id: int) -> list[Material]:
    return list(session.exec(select(Material).where(Material.meeting_id == meeting_id)
                             .order_by(Material.id)))


def _send(session: Session, settings, participant: Participant, *, template: str, kind: str,
          dedupe_key: str, edition: Edition, calendar: str | None = None, **context) -> bool:
    subject, text, html = render_personal(
        session, template, participant, unsubscribe_url(settings, participant.id, kind),
        edition=edition, **context)
    return queue_mail(session, to=participant.email, kind=kind, subject=subject, text=text,
                      html=html, calendar=calendar, dedupe_key=dedupe_key,
                      participant_id=participant.id, edition_id=edition.id, row=False) is not None


def _to_each(session: Session, settings, recipients, *, edition: Edition, **arguments) -> int:
    """`fan_out` of an edition's moment: the same mail to each of `recipients` (a SELECT of ids)."""
    return fan_out(session, settings, recipients, edition_id=edition.id, edition=edition, **arguments)


def _occurrence(moment: PlannedMoment) -> str:
    return f"{moment.job_id}@{moment.due_at:%Y%m%dT%H%M}"


# --- one function per kind of moment --------------------------------------------------------------


def _reminder(session, moment, settings, now) -> int:
    meeting = session.get(Meeting, int(moment.subject.split(":")[1]))
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at is None:
        return 0
    edition, track, _ = _context(session, meeting.edition_id)
    days = (to_local(meeting.starts_at, edition.timezone).date()
            - local_today(edition.timezone, now)).days
    return _to_each(session, settings, admitted_ids(edition.id), template="reminder",
                    kind=MailKind.REMINDER, dedupe_prefix=f"{_occurrence(moment)}:", edition=edition,
                    track=track, meeting=meeting, days=max(days, 1),
                    materials=_materials(session, meeting.id))


def _next_items(session, edition_id, after: datetime):
    next_meeting = session.exec(select(Meeting).where(
        Meeting.edition_id == edition_id, Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.starts_at > after).order_by(Meeting.starts_at)).first()
    next_deadline = session.exec(select(Deadline).where(
        Deadline.edition_id == edition_id, Deadline.due_date >= after.date())
        .order_by(Deadline.due_date)).first()
    return next_meeting, next_deadline


def _coaching(session, moment, settings, now) -> int:
    meeting = session.get(Meeting, int(moment.subject.split(":")[1]))
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return 0
    edition, track, _ = _context(session, meeting.edition_id)
    next_meeting, next_deadline = _next_items(session, edition.id, meeting.ends_at)
    # Everyone taking part: on the last session's day completion is decided at its end, before
    # the coaching mail (and its feedback question) goes to the ones who completed too.
    return _to_each(session, settings, enrolled_ids(edition.id, TAKING_PART), template="coaching",
                    kind=MailKind.COACHING, dedupe_prefix=f"{_occurrence(moment)}:", edition=edition,
                    track=track, meeting=meeting, materials=_materials(session, meeting.id),
                    next_meeting=next_meeting, next_deadline=next_deadline,
                    # "Hoe nuttig was deze sessie?": five links, signed for each participant
                    feedback_link=lambda person, score: session_url(settings, person, meeting.id,
                                                                    score))


def _nudge(session, moment, settings, now) -> int:
    deadline = session.get(Deadline, int(moment.subject.split(":")[1]))
    if deadline is None:
        return 0
    edition, track, _ = _context(session, deadline.edition_id)
    kind = MailKind.OVERDUE if moment.kind == "overdue" else MailKind.NUDGE
    # An extension's moment is that participant's own, with the extension's date.
    extension = moment.participant_id is not None and session.get(
        DeadlineExtension, (deadline.id, moment.participant_id))
    due_date = extension.due_date if extension else deadline.due_date
    return _to_each(session, settings, owing_ids(deadline, moment.participant_id),
                    template="nudge", kind=kind, dedupe_prefix=f"{_occurrence(moment)}:",
                    edition=edition, track=track, deadline=deadline, due_date=due_date,
                    days_left=(due_date - local_today(edition.timezone, now)).days)


def _time_last_announced(session, meeting: Meeting) -> SimpleNamespace | None:
    """The session's time as its participants last heard it: before the first move since the
    last invitation or update was queued (None: not moved since, or moved before this was kept)."""
    last_notice = session.exec(select(func.max(OutboxMessage.created_at)).where(
        OutboxMessage.dedupe_key.startswith(f"invite:session:{meeting.id}:"))).one()
    query = select(EventRecord).where(EventRecord.name == "MeetingRescheduled")
    if last_notice is not None:
        query = query.where(EventRecord.occurred_at >= last_notice)
    for record in session.exec(query.order_by(EventRecord.id)):
        was = record.payload
        if was.get("meeting_id") == meeting.id and was.get("was_on_date"):
            return SimpleNamespace(
                on_date=date.fromisoformat(was["was_on_date"]),
                starts_at=was["was_starts_at"] and datetime.fromisoformat(was["was_starts_at"]),
                ends_at=was["was_ends_at"] and datetime.fromisoformat(was["was_ends_at"]))
    return None


def _invitations(session, settings, meeting: Meeting, people, *, kind: str, changed: bool,
                 cancel: bool = False) -> int:
    edition, track, organiser = _context(session, meeting.edition_id)
    materials = _materials(session, meeting.id)
    previous = _time_last_announced(session, meeting) if changed else None
    count = 0
    for person in people:
        calendar = invitation(meeting, edition, track, organiser, person,
                              base_url=settings.base_url, cancel=cancel, materials=materials)
        # One family of keys for invitations and updates: each SEQUENCE reaches a person once.
        key = (f"cancel:session:{meeting.id}:p{person.id}" if cancel
               else f"invite:session:{meeting.id}:seq{meeting.sequence}:p{person.id}")
        count += _send(session, settings, person, template="invitation", kind=kind,
                       dedupe_key=key, edition=edition, track=track, meeting=meeting,
                       changed=changed, cancelled=cancel, calendar=calendar,
                       previous=previous)
    return count


def _meeting_notice(session, moment, settings, now) -> int:
    """A first invitation goes to everyone admitted. An update or cancellation goes only to those
    who had the invitation; the others get the current state: an invitation to the session as it
    is now (newcomers get it with their welcome), nothing for a cancelled one."""
    meeting = session.get(Meeting, int(moment.subject.split(":")[1]))
    if meeting is None:
        return 0
    if moment.kind == "cancel" or meeting.status == MeetingStatus.CANCELLED:
        return _invitations(session, settings, meeting, invited(session, meeting),
                            kind=MailKind.CANCELLATION, changed=False, cancel=True)
    if meeting_over(meeting, session.get(Edition, meeting.edition_id).timezone, now):
        return 0  # an invitation for a session that is over helps nobody
    everyone = admitted(session, meeting.edition_id)
    if moment.kind != "update":
        return _invitations(session, settings, meeting, everyone, kind=MailKind.INVITATION,
                            changed=False)
    told = invited(session, meeting)
    told_ids = {p.id for p in told}
    return (_invitations(session, settings, meeting, told, kind=MailKind.UPDATE, changed=True)
            + _invitations(session, settings, meeting,
                           [p for p in everyone if p.id not in told_ids],
                           kind=MailKind.INVITATION, changed=False))


def _welcome(session, moment, settings, now) -> int:
    enrollment = session.get(Enrollment, int(moment.subject.split(":")[1]))
    if enrollment is None or enrollment.status != EnrollmentStatus.ADMITTED:
        return 0
    person = session.get(Participant, enrollment.participant_id)
    edition, track, _ = _context(session, enrollment.edition_id)
    meetings = [m for m in session.exec(select(Meeting).where(
        Meeting.edition_id == edition.id, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.on_date, Meeting.id)) if not meeting_over(m, edition.timezone, now)]
    deadlines = list(session.exec(select(Deadline).where(Deadline.edition_id == edition.id)
                                  .order_by(Deadline.due_date)))
    count = _send(session, settings, person, template="welcome", kind=MailKind.WELCOME,
                  dedupe_key=f"welcome:enrollment:{enrollment.id}", edition=edition, track=track,
                  meetings=meetings, deadlines=deadlines)
    for meeting in meetings:
        count += _invitations(session, settings, meeting, [person], kind=MailKind.INVITATION,
                              changed=False)
    return count


def _digest(session, moment, settings, now) -> int:
    edition, track, _ = _context(session, moment.edition_id)
    if not edition.coordinator_email:
        return 0
    today = local_today(edition.timezone, now)
    missing = []
    for deadline in session.exec(select(Deadline).where(
            Deadline.edition_id == edition.id, Deadline.due_date <= today)
            .order_by(Deadline.due_date)):
        people = not_delivered(session, deadline, None)
        people += [p for ext in session.exec(select(DeadlineExtension).where(
            DeadlineExtension.deadline_id == deadline.id, DeadlineExtension.due_date <= today))
            for p in not_delivered(session, deadline, ext.participant_id)]
        if people:
            missing.append({"deadline": deadline, "participants": people})
    attendance = []
    for meeting in session.exec(select(Meeting).where(
            Meeting.edition_id == edition.id, Meeting.on_date <= today).order_by(Meeting.on_date)):
        rows = list(session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)))
        if rows:
            attendance.append({"meeting": meeting, "present": sum(r.present for r in rows),
                               "total": len(rows)})
    failed = list(session.exec(select(OutboxMessage).where(
        OutboxMessage.edition_id == edition.id, OutboxMessage.status == MailStatus.FAILED,
        OutboxMessage.created_at >= now - timedelta(days=7)).order_by(OutboxMessage.id)))
    subject, text, html = render_mail("digest", "nl", edition=edition, track=track, missing=missing,
                                      attendance=attendance, failed=failed)
    return queue_mail(session, to=edition.coordinator_email, kind=MailKind.DIGEST, subject=subject,
                      text=text, html=html, dedupe_key=_occurrence(moment),
                      edition_id=edition.id) is not None


def _evaluation(session, moment, settings, now) -> int:
    """The end-of-edition evaluation to everyone taking part; its one reminder to those of them
    who have not answered, and only when the evaluation itself went. Dedupe keys without the
    due time: each person gets each of the two at most once, however often it is re-planned."""
    edition, track, _ = _context(session, moment.edition_id)
    people = enrolled_ids(edition.id, TAKING_PART)
    reminder = moment.kind == "evaluation_reminder"
    if reminder:
        first = session.exec(select(PlannedMoment.status).where(
            PlannedMoment.job_id == f"evaluation:{moment.subject}")).first()
        if first != MomentStatus.DONE:
            return 0
        people = not_evaluated(session, settings.secret_key, edition.id, session.exec(people))
    return _to_each(session, settings, people, template="evaluation", kind=MailKind.EVALUATION,
                    dedupe_prefix=f"{moment.job_id}:", edition=edition, track=track,
                    reminder=reminder,
                    evaluation_link=lambda person: evaluation_url(settings, person, edition.id))
def _completion(session, moment, settings, now) -> int:
    """The edition's last session is over: apply its completion rules, mail the certificates."""
    return apply_rules(session, moment.edition_id, settings, now)


SENDERS = {
    "reminder": _reminder,
    "coaching": _coaching,
    "nudge": _nudge,
    "overdue": _nudge,
    "invite": _meeting_notice,
    "update": _meeting_notice,
    "cancel": _meeting_notice,
    "welcome": _welcome,
    "digest": _digest,
    "evaluation": _evaluation,
    "evaluation_reminder": _evaluation,
    "completion": _completion,
    # A loan's hand-over and return reminders (moments without an edition).
    **LOAN_SENDERS,
}
