"""What happens when a moment fires: recipients worked out now, mails queued in the outbox.

`process_moment(app, job_id, now)` is the whole job: in one transaction it re-reads the moment,
skips it (and logs) when it fired too late to be useful, otherwise queues one mail per recipient
and marks the moment done. A crash before the commit leaves the moment planned and queues nothing;
firing it again queues each mail once (the outbox's dedupe keys), so it is never lost, never twice.
APScheduler calls `fire(job_id)`, which is importable by name and takes only the id; the app it
fires against comes from the executor of the scheduler that runs it (`Binding`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from flask import Flask
from sqlalchemy import exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core.clock import local_today, to_local, utcnow
from trajectories.core.models import EventRecord
from trajectories.mail.invitation import invitation
from trajectories.mail.models import MailKind, MailStatus, OutboxMessage
from trajectories.mail.outbox import (
    fan_out,
    queue_mail,
    queued_together,
    render_mail,
    render_personal,
    unsubscribe_url,
)
from trajectories.people.models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Submission,
)
from trajectories.schedule.models import (
    Deadline,
    DeadlineExtension,
    DeliveredBy,
    Material,
    Meeting,
    MeetingStatus,
)
from trajectories.scheduler.models import MomentRun, MomentStatus, PlannedMoment, SkipReason
from trajectories.scheduler.plan import plan_digest

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Binding:
    """What one scheduler's jobs run with: its app (database, settings) and what wakes its
    drainer once a moment queued mails."""

    app: Flask
    after_fan_out: Callable[[], object] | None = None


#: Set for the job runs of one scheduler by its executor (`runtime.configure`), never
#: process-wide: two schedulers in one process (a standby taking over, `serve --scheduler`
#: beside another, tests) each fire their own jobs against their own app.
_binding: ContextVar[Binding | None] = ContextVar("scheduler_binding", default=None)


def bind(binding: Binding | None) -> None:
    """Bind the current thread's context (a job thread of one scheduler's pool) for good."""
    _binding.set(binding)


@contextmanager
def bound(binding: Binding | None) -> Iterator[None]:
    """Bind the current context for the duration of the block (a job run in the caller's
    thread)."""
    token = _binding.set(binding)
    try:
        yield
    finally:
        _binding.reset(token)


def fire(job_id: str) -> None:
    """The APScheduler job function."""
    binding = _binding.get()
    if binding is None:
        raise RuntimeError("scheduler jobs run only inside run_scheduler")
    if process_moment(binding.app, job_id) == "sent" and binding.after_fan_out is not None:
        # Send right away, by the scheduler's one drainer: a second drain beside it would put a
        # second mail in flight, and a crash would send both twice.
        binding.after_fan_out()


# --- recipients ----------------------------------------------------------------------------------


def admitted_ids(edition_id: int):
    """SELECT of the ids of everyone admitted to an edition."""
    return select(Enrollment.participant_id).where(
        Enrollment.edition_id == edition_id, Enrollment.status == EnrollmentStatus.ADMITTED)


def admitted(session: Session, edition_id: int) -> list[Participant]:
    return list(session.exec(select(Participant).where(Participant.id.in_(
        admitted_ids(edition_id))).order_by(Participant.id)))


def owing_ids(deadline: Deadline, participant_id: int | None):
    """SELECT of the ids of who still owes this deadline: for the deadline's own moments
    everyone admitted without a submission and without an extension (they have moments of their
    own); for an extension's moments that one participant."""
    person = aliased(Participant)
    query = (select(person.id).where(person.id.in_(admitted_ids(deadline.edition_id)))
             .where(~exists().where(Submission.deadline_id == deadline.id,
                                    Submission.participant_id == person.id)))
    if deadline.delivered_by == DeliveredBy.ORGANISATION:
        # One submission by an admitted participant covers everyone of the same organisation.
        colleague = aliased(Participant)
        query = query.where(~exists().where(
            Submission.deadline_id == deadline.id, Submission.participant_id == colleague.id,
            colleague.organisation_id == person.organisation_id,
            colleague.id.in_(admitted_ids(deadline.edition_id))))
    if participant_id is not None:
        return query.where(person.id == participant_id)
    return query.where(~exists().where(DeadlineExtension.deadline_id == deadline.id,
                                       DeadlineExtension.participant_id == person.id))


def not_delivered(session: Session, deadline: Deadline, participant_id: int | None) -> list[Participant]:
    """The participants of `owing_ids`."""
    return list(session.exec(select(Participant).where(Participant.id.in_(
        owing_ids(deadline, participant_id))).order_by(Participant.id)))


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
    return _to_each(session, settings, admitted_ids(edition.id), template="coaching",
                    kind=MailKind.COACHING, dedupe_prefix=f"{_occurrence(moment)}:", edition=edition,
                    track=track, meeting=meeting, materials=_materials(session, meeting.id),
                    next_meeting=next_meeting, next_deadline=next_deadline)


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


def invited(session: Session, meeting: Meeting) -> list[Participant]:
    """Admitted participants who received an invitation to this session (on its own or with
    their welcome): only they have it in their calendar, so only they get its update or
    cancellation. An invitation still waiting in the outbox counts (it goes out first); a failed
    or withdrawn one does not."""
    ids = set(session.exec(select(OutboxMessage.participant_id).where(
        OutboxMessage.dedupe_key.startswith(f"invite:session:{meeting.id}:seq"),
        OutboxMessage.status != MailStatus.FAILED)))
    return [p for p in admitted(session, meeting.edition_id) if p.id in ids]


def _over(meeting: Meeting, zone_name: str, now: datetime) -> bool:
    """A timed session once it ended; one whose time is to be announced once its day passed."""
    if meeting.ends_at is not None:
        return meeting.ends_at <= now
    return meeting.on_date < local_today(zone_name, now)


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
    if _over(meeting, session.get(Edition, meeting.edition_id).timezone, now):
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
        .order_by(Meeting.on_date, Meeting.id)) if not _over(m, edition.timezone, now)]
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
}


def process_moment(app: Flask, job_id: str, now: datetime | None = None) -> str:
    """Fire one moment; returns "sent", "skipped" or "gone" (already processed or removed)."""
    now = now or utcnow()
    db = app.extensions["trajectories.db"]
    settings = app.config["SETTINGS"]
    with app.app_context(), db.begin(actor="scheduler") as session:
        moment = session.exec(select(PlannedMoment).where(PlannedMoment.job_id == job_id)
                              .with_for_update()).first()
        if moment is None or moment.status != MomentStatus.PLANNED:
            return "gone"
        run = MomentRun(moment_id=moment.id, edition_id=moment.edition_id, due_at=moment.due_at,
                        fired_at=now, useful_until=moment.useful_until)
        if now > moment.useful_until:
            moment.status, moment.processed_at = MomentStatus.SKIPPED, now
            moment.note = f"too late: due {moment.due_at:%Y-%m-%d %H:%M}Z, fired {now:%Y-%m-%d %H:%M}Z"
            log.warning("skipped %s: %s", job_id, moment.note)
            run.skipped = SkipReason.TOO_LATE
            outcome = "skipped"
        else:
            with queued_together(session) as queued:
                SENDERS[moment.kind](session, moment, settings, now)
            count = queued.count
            moment.status, moment.processed_at = MomentStatus.DONE, now
            moment.note = f"{count} mails queued"
            run.queued = count
            outcome = "sent"
        session.add(run)
        moment.version += 1
        moment.updated_at = now
        session.add(moment)
        kind, edition_id = moment.kind, moment.edition_id
    if kind == "digest":
        with db.begin(actor="scheduler") as session:
            plan_digest(session, edition_id, now)
    return outcome
