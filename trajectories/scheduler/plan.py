"""Planning: which moments an edition's sessions and deadlines need, written as rows.

Each planning function computes the wanted moments of one subject (a session, a deadline, an
edition) from the database and reconciles them with the stored rows: new moments are added,
moved ones get their new time (and are planned again if they had already fired: a new
occurrence), unwanted ones are marked removed. A moment that is already past when it is first
planned is marked skipped, so planning a session for the day after tomorrow sends no
"in 7 days" reminder; only moments that were planned in time are sent late (while useful).

Recipients are not planned: a job works them out when it fires, so a change touches a handful of
rows whatever the size of the edition. A draft edition gets no moments until it is published.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition
from trajectories.core.clock import NonexistentLocalTime, to_local, to_utc, utcnow
from trajectories.mail.models import DEFAULT_NUDGE_DAYS, EditionMailSettings, settings_for
from trajectories.schedule.models import Deadline, DeadlineExtension, Meeting, MeetingStatus
from trajectories.scheduler.models import MomentStatus, PlannedMoment

log = logging.getLogger(__name__)

#: Quick successive edits of a session are gathered into one update mail.
DEBOUNCE = timedelta(minutes=3)
#: A coaching mail, update or welcome that went unsent this long is no longer worth sending.
COACHING_USEFUL = timedelta(days=7)
NOTICE_USEFUL = timedelta(days=14)
#: The digest is planned while an edition has something this recent or later.
DIGEST_ACTIVE_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class Moment:
    job_id: str
    kind: str
    subject: str
    edition_id: int
    due_at: datetime
    useful_until: datetime
    participant_id: int | None = None


def local_moment(day: date, hour: int, zone_name: str) -> datetime:
    """`hour`:00 on `day` in the edition's zone, as UTC (an hour later if DST skips it)."""
    try:
        return to_utc(day, time(hour), zone_name)
    except NonexistentLocalTime:
        return to_utc(day, time(hour + 1), zone_name)


def _days(n: int) -> str:
    return f"P{abs(n)}D"


# --- what each subject wants ---------------------------------------------------------------------


def meeting_moments(meeting: Meeting, edition: Edition, prefs: EditionMailSettings) -> list[Moment]:
    """Reminders before a session and the coaching mail after it (none while its time is to be
    announced, none once cancelled).

    A reminder N days before goes on the local calendar day N days before the session's day,
    at the edition's send hour, like the nudges: a 7-day reminder for a session on the Thursday
    after the October change still goes at 9:00 local, not at 24-hour multiples in UTC."""
    if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at is None:
        return []
    subject = f"session:{meeting.id}"
    moments = []
    offsets = sorted({d for d in prefs.reminder_days if d > 0}, reverse=True)
    day = to_local(meeting.starts_at, edition.timezone).date()
    dues = [local_moment(day - timedelta(days=d), prefs.send_hour, edition.timezone)
            for d in offsets]
    for i, days in enumerate(offsets):
        # Useful until the next reminder takes over, the last one until the session starts.
        useful = dues[i + 1] if i + 1 < len(dues) else meeting.starts_at
        moments.append(Moment(f"reminder:{subject}:{_days(days)}", "reminder", subject,
                              edition.id, dues[i], useful))
    if prefs.coaching_delay_hours is not None:
        due = meeting.ends_at + timedelta(hours=prefs.coaching_delay_hours)
        moments.append(Moment(f"coaching:{subject}:PT{prefs.coaching_delay_hours}H", "coaching",
                              subject, edition.id, due, due + COACHING_USEFUL))
    return moments


def _nudges(deadline: Deadline, edition: Edition, prefs: EditionMailSettings, due_date: date,
            prefix: str, participant_id: int | None) -> list[Moment]:
    subject = f"deadline:{deadline.id}"
    before = sorted({d for d in prefs.nudge_days if d >= 0}, reverse=True)
    after = sorted({-d for d in prefs.nudge_days if d < 0})
    dues = [local_moment(due_date - timedelta(days=d), prefs.send_hour, edition.timezone)
            for d in before]
    end_of_due_day = local_moment(due_date + timedelta(days=1), 0, edition.timezone)
    moments = []
    for i, days in enumerate(before):
        useful = dues[i + 1] if i + 1 < len(dues) else end_of_due_day
        moments.append(Moment(f"nudge:{subject}{prefix}:{_days(days)}", "nudge", subject,
                              edition.id, dues[i], useful, participant_id))
    for days in after:
        due = local_moment(due_date + timedelta(days=days), prefs.send_hour, edition.timezone)
        moments.append(Moment(f"overdue:{subject}{prefix}:{_days(days)}", "overdue", subject,
                              edition.id, due, due + timedelta(days=3), participant_id))
    return moments


def deadline_moments(session: Session, deadline: Deadline, edition: Edition,
                     prefs: EditionMailSettings) -> list[Moment]:
    """Nudges for everyone on the deadline's own date, and for each extension on its date."""
    moments = _nudges(deadline, edition, prefs, deadline.due_date, "", None)
    for extension in session.exec(select(DeadlineExtension).where(
            DeadlineExtension.deadline_id == deadline.id)):
        moments += _nudges(deadline, edition, prefs, extension.due_date,
                           f":participant:{extension.participant_id}", extension.participant_id)
    return moments


def _last_activity(session: Session, edition_id: int) -> date | None:
    days = [m.on_date for m in session.exec(select(Meeting).where(Meeting.edition_id == edition_id))]
    days += [d.due_date for d in session.exec(select(Deadline).where(Deadline.edition_id == edition_id))]
    return max(days, default=None)


def digest_moments(session: Session, edition: Edition, prefs: EditionMailSettings,
                   now: datetime) -> list[Moment]:
    """The next weekly digest to the coordinator, while the edition is running."""
    last = _last_activity(session, edition.id)
    if prefs.digest_weekday is None or not edition.coordinator_email or last is None:
        return []
    today = to_local(now, edition.timezone).date()
    day = today + timedelta(days=(prefs.digest_weekday - today.isoweekday()) % 7)
    due = local_moment(day, prefs.send_hour, edition.timezone)
    if due <= now:
        day += timedelta(days=7)
        due = local_moment(day, prefs.send_hour, edition.timezone)
    if day > last + DIGEST_ACTIVE_AFTER:
        return []
    return [Moment(f"digest:cohort:{edition.id}:{day.isoformat()}", "digest", f"cohort:{edition.id}",
                   edition.id, due, due + timedelta(days=1))]


# --- writing the plan ----------------------------------------------------------------------------


def _bump(row: PlannedMoment, now: datetime) -> None:
    row.version += 1
    row.updated_at = now


#: Notes of moments skipped when planned (shown on the coordinators' mail schedule page).
PAST_WHEN_PLANNED = "past when planned"
EDITION_OVER = "edition is over"


def _store(session: Session, moment: Moment, now: datetime, existing: PlannedMoment | None,
           *, refire: bool = False) -> PlannedMoment:
    """Insert or move one moment. `refire`: plan it again even if it fired at this same time
    (a debounced notice pushed forward)."""
    row = existing
    if row is None:
        row = PlannedMoment(job_id=moment.job_id, kind=moment.kind, subject=moment.subject,
                            edition_id=moment.edition_id, participant_id=moment.participant_id,
                            due_at=moment.due_at, useful_until=moment.useful_until)
        if moment.due_at < now - timedelta(seconds=1):
            row.status, row.note, row.processed_at = MomentStatus.SKIPPED, PAST_WHEN_PLANNED, now
        session.add(row)
        return row
    moved = row.due_at != moment.due_at or row.useful_until != moment.useful_until
    revived = row.status == MomentStatus.REMOVED
    if not (moved or revived or refire):
        return row
    row.due_at, row.useful_until = moment.due_at, moment.useful_until
    if moment.due_at < now - timedelta(seconds=1):
        row.status, row.note, row.processed_at = MomentStatus.SKIPPED, PAST_WHEN_PLANNED, now
    else:
        row.status, row.note, row.processed_at = MomentStatus.PLANNED, "", None
    _bump(row, now)
    session.add(row)
    return row


def _remove(session: Session, row: PlannedMoment, now: datetime, why: str) -> None:
    if row.status == MomentStatus.PLANNED:
        row.status, row.note = MomentStatus.REMOVED, why
        _bump(row, now)
        session.add(row)


def reconcile_subject(session: Session, subject: str, kinds: tuple[str, ...],
                      wanted: list[Moment], now: datetime) -> None:
    """Make the stored moments of `subject` (of these kinds) match `wanted`."""
    stored = {row.job_id: row for row in session.exec(select(PlannedMoment).where(
        PlannedMoment.subject == subject, PlannedMoment.kind.in_(kinds)))}
    wanted_ids = set()
    for moment in wanted:
        wanted_ids.add(moment.job_id)
        _store(session, moment, now, stored.get(moment.job_id))
    for job_id, row in stored.items():
        if job_id not in wanted_ids:
            _remove(session, row, now, "no longer planned")
    session.flush()


MEETING_KINDS = ("reminder", "coaching")
DEADLINE_KINDS = ("nudge", "overdue")


def plan_meeting(session: Session, meeting_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    meeting = session.get(Meeting, meeting_id)
    subject = f"session:{meeting_id}"
    if meeting is None:
        reconcile_subject(session, subject, (*MEETING_KINDS, "invite", "update"), [], now)
        return
    edition = session.get(Edition, meeting.edition_id)
    wanted = [] if edition.draft else meeting_moments(meeting, edition,
                                                     settings_for(session, edition.id))
    reconcile_subject(session, subject, MEETING_KINDS, wanted, now)


def plan_deadline(session: Session, deadline_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    deadline = session.get(Deadline, deadline_id)
    subject = f"deadline:{deadline_id}"
    if deadline is None:
        reconcile_subject(session, subject, DEADLINE_KINDS, [], now)
        return
    edition = session.get(Edition, deadline.edition_id)
    wanted = [] if edition.draft else deadline_moments(session, deadline, edition,
                                                      settings_for(session, edition.id))
    reconcile_subject(session, subject, DEADLINE_KINDS, wanted, now)


def plan_digest(session: Session, edition_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    edition = session.get(Edition, edition_id)
    wanted = [] if edition is None or edition.draft else digest_moments(
        session, edition, settings_for(session, edition_id), now)
    # Past digests are done or skipped; only the next one is wanted. One that is due but not yet
    # fired stays: its firing decides (a re-plan at its very moment must not drop it).
    stored = list(session.exec(select(PlannedMoment).where(
        PlannedMoment.subject == f"cohort:{edition.id}", PlannedMoment.kind == "digest",
        PlannedMoment.status == MomentStatus.PLANNED, PlannedMoment.due_at > now)))
    for row in stored:
        if row.job_id not in {m.job_id for m in wanted}:
            _remove(session, row, now, "no longer planned")
    for moment in wanted:
        existing = session.exec(select(PlannedMoment).where(
            PlannedMoment.job_id == moment.job_id)).first()
        _store(session, moment, now, existing)
    session.flush()


def plan_edition(session: Session, edition_id: int, now: datetime | None = None) -> None:
    """Everything of one edition (after a change of its zone or mail settings)."""
    now = now or utcnow()
    for meeting_id in session.exec(select(Meeting.id).where(Meeting.edition_id == edition_id)):
        plan_meeting(session, meeting_id, now)
    for deadline_id in session.exec(select(Deadline.id).where(Deadline.edition_id == edition_id)):
        plan_deadline(session, deadline_id, now)
    plan_digest(session, edition_id, now)


#: Beyond an edition's last day and its latest overdue nudge: digests, coaching mails, time zones.
FINISHED_SLACK = DIGEST_ACTIVE_AFTER + timedelta(days=14)


def _last_overdue(nudge_days: list[int]) -> int:
    """Days after the due date of the last overdue nudge (the negative nudge days)."""
    return max([-d for d in nudge_days if d < 0], default=0)


def unfinished_edition_ids(session: Session, now: datetime) -> list[int]:
    """Editions that may still have a moment ahead. An edition whose last session, deadline and
    extension, plus its latest overdue nudge and FINISHED_SLACK, lie in the past has none: most
    editions are history, and re-planning them made the start-up reconciliation take minutes."""
    last: dict[int, date] = {}
    for query in (
        select(Meeting.edition_id, func.max(Meeting.on_date)).group_by(Meeting.edition_id),
        select(Deadline.edition_id, func.max(Deadline.due_date)).group_by(Deadline.edition_id),
        select(Deadline.edition_id, func.max(DeadlineExtension.due_date))
        .join(DeadlineExtension, DeadlineExtension.deadline_id == Deadline.id)
        .group_by(Deadline.edition_id),
    ):
        for edition_id, day in session.exec(query):
            last[edition_id] = max(day, last.get(edition_id, day))
    overdue_days = {row.edition_id: _last_overdue(row.nudge_days)
                    for row in session.exec(select(EditionMailSettings))}
    default_overdue = _last_overdue(DEFAULT_NUDGE_DAYS)
    today = now.date()
    return sorted(
        edition_id for edition_id, day in last.items()
        if day + timedelta(days=overdue_days.get(edition_id, default_overdue)) + FINISHED_SLACK
        >= today)


def plan_all(session: Session, now: datetime | None = None) -> None:
    """The whole plan from the database (start-up and hourly reconciliation), for every edition
    that is not long finished."""
    now = now or utcnow()
    for edition_id in unfinished_edition_ids(session, now):
        plan_edition(session, edition_id, now)


def plan_notice(session: Session, *, kind: str, subject: str, edition_id: int,
                now: datetime | None = None, delay: timedelta = DEBOUNCE,
                useful: timedelta = NOTICE_USEFUL, participant_id: int | None = None) -> None:
    """A one-off moment (welcome, invitation, update, cancellation): due after `delay`; a new
    call before it fired pushes it back, so quick successive edits send one mail. Nothing for a
    draft edition: it mails nobody until it is published."""
    edition = session.get(Edition, edition_id)
    if edition is None or edition.draft:
        return
    now = now or utcnow()
    job_id = f"{kind}:{subject}"
    due = now + delay
    existing = session.exec(select(PlannedMoment).where(PlannedMoment.job_id == job_id)).first()
    row = _store(session, Moment(job_id, kind, subject, edition_id, due, due + useful,
                                 participant_id), now, existing, refire=True)
    if row.status == MomentStatus.PLANNED and edition_over(session, edition_id, now):
        # History (an edition loaded or edited after its last day) sends nothing.
        row.status, row.note, row.processed_at = MomentStatus.SKIPPED, EDITION_OVER, now
        session.add(row)
    session.flush()


def edition_over(session: Session, edition_id: int, now: datetime) -> bool:
    """Whether the edition's last session, deadline and extension lie before today (in its
    zone): nothing of it is ahead, so a welcome or invitation would only be noise."""
    edition = session.get(Edition, edition_id)
    last = _last_activity(session, edition_id)
    extended = session.exec(select(func.max(DeadlineExtension.due_date))
                            .join(Deadline, Deadline.id == DeadlineExtension.deadline_id)
                            .where(Deadline.edition_id == edition_id)).first()
    last = max((d for d in (last, extended) if d is not None), default=None)
    return edition is not None and last is not None and \
        last < to_local(now, edition.timezone).date()


def remove_notices(session: Session, subject: str, kinds: tuple[str, ...],
                   now: datetime | None = None) -> None:
    now = now or utcnow()
    for row in session.exec(select(PlannedMoment).where(PlannedMoment.subject == subject,
                                                        PlannedMoment.kind.in_(kinds))):
        _remove(session, row, now, "superseded")
    session.flush()
