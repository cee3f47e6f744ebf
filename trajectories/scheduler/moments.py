"""Which moments each subject (a session, a deadline, an edition) wants, and when: rules on
the rows, no writes (`trajectories.scheduler.plan` stores them). Also what counts as over: a
session, and an edition with nothing ahead.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Track
from trajectories.core.clock import NonexistentLocalTime, local_today, to_local, to_utc
from trajectories.mail.models import EditionMailSettings
from trajectories.schedule.models import Deadline, DeadlineExtension, Meeting, MeetingStatus

#: A coaching mail that went unsent this long is no longer worth sending.
COACHING_USEFUL = timedelta(days=7)
#: The digest is planned while an edition has something this recent or later.
DIGEST_ACTIVE_AFTER = timedelta(days=14)
#: The end-of-edition evaluation goes this many days after the last session's day (at the send
#: hour), and its one reminder this many days after that.
EVALUATION_AFTER_DAYS = 1
EVALUATION_REMINDER_DAYS = 7


@dataclass(frozen=True)
class Moment:
    job_id: str
    kind: str
    subject: str
    edition_id: int | None
    due_at: datetime
    useful_until: datetime
    participant_id: int | None = None


@functools.lru_cache(maxsize=65536)
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
                     prefs: EditionMailSettings,
                     extensions: list[DeadlineExtension] | None = None) -> list[Moment]:
    """Nudges for everyone on the deadline's own date, and for each extension on its date.
    `extensions`: the deadline's, when the caller loaded them already (a whole re-plan)."""
    moments = _nudges(deadline, edition, prefs, deadline.due_date, "", None)
    if extensions is None:
        extensions = session.exec(select(DeadlineExtension).where(
            DeadlineExtension.deadline_id == deadline.id))
    for extension in extensions:
        moments += _nudges(deadline, edition, prefs, extension.due_date,
                           f":participant:{extension.participant_id}", extension.participant_id)
    return moments


def last_activity(session: Session, edition_id: int) -> date | None:
    days = [m.on_date for m in session.exec(select(Meeting).where(Meeting.edition_id == edition_id))]
    days += [d.due_date for d in session.exec(select(Deadline).where(Deadline.edition_id == edition_id))]
    return max(days, default=None)


def digest_moments(session: Session, edition: Edition, prefs: EditionMailSettings,
                   now: datetime, last: date | None = ...) -> list[Moment]:
    """The next weekly digest to the coordinator, while the edition is running. `last`: the
    edition's `last_activity`, when the caller has it already (a whole re-plan)."""
    if last is ...:
        last = last_activity(session, edition.id)
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


def evaluation_moments(session: Session, edition: Edition, prefs: EditionMailSettings,
                       meetings: list[Meeting] | None = None,
                       track: Track | None = None) -> list[Moment]:
    """The evaluation the day after the edition's last session (at the send hour), and one
    reminder a week later (to those who have not answered: worked out when it fires). None for
    an edition without sessions. `meetings`, `track`: the edition's, when the caller loaded them
    already (a whole re-plan). None for an edition of a track that does not complete (a regional
    meeting: its one session's feedback question is its evaluation)."""
    if not _completes(session, edition, track):
        return []
    if meetings is None:
        last = session.exec(select(Meeting).where(
            Meeting.edition_id == edition.id, Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.on_date.desc())).first()
    else:
        last = max((m for m in meetings if m.status != MeetingStatus.CANCELLED),
                   key=lambda m: m.on_date, default=None)
    if last is None:
        return []
    day = last.on_date + timedelta(days=EVALUATION_AFTER_DAYS)
    due = local_moment(day, prefs.send_hour, edition.timezone)
    if last.ends_at is not None and due < last.ends_at:
        due = last.ends_at
    reminder = local_moment(day + timedelta(days=EVALUATION_REMINDER_DAYS), prefs.send_hour,
                            edition.timezone)
    subject = f"edition:{edition.id}"
    return [Moment(f"evaluation:{subject}", "evaluation", subject, edition.id, due, reminder),
            Moment(f"evaluation_reminder:{subject}", "evaluation_reminder", subject, edition.id,
                   reminder, reminder + timedelta(days=EVALUATION_REMINDER_DAYS))]


def _completes(session: Session, edition: Edition, track: Track | None) -> bool:
    track = track or session.get(Track, edition.track_id)
    return track is not None and track.completes


#: Applying the completion rules late is still worth it for this long (certificates, statuses).
COMPLETION_USEFUL = timedelta(days=60)


def completion_moments(session: Session, edition: Edition, meetings: list[Meeting] | None = None,
                       due_dates: list[date] | None = None,
                       track: Track | None = None) -> list[Moment]:
    """Applying the edition's completion rules, once its last session is over and its last
    deadline (extensions too) has passed: attendance and hand-ins are then all in. `meetings`,
    `due_dates` (deadlines and extensions), `track`: the edition's, when the caller loaded them
    already (a whole re-plan). None for an edition of a track that does not complete."""
    if not _completes(session, edition, track):
        return []
    if meetings is None:
        meetings = session.exec(select(Meeting).where(Meeting.edition_id == edition.id))
    ends = [m.ends_at or local_moment(m.on_date + timedelta(days=1), 0, edition.timezone)
            for m in meetings if m.status == MeetingStatus.SCHEDULED]
    if not ends:
        return []
    if due_dates is not None:
        days = list(due_dates)
    else:
        days = list(session.exec(select(Deadline.due_date).where(
            Deadline.edition_id == edition.id)))
        days += list(session.exec(select(DeadlineExtension.due_date).join(
            Deadline, Deadline.id == DeadlineExtension.deadline_id)
            .where(Deadline.edition_id == edition.id)))
    ends += [local_moment(day + timedelta(days=1), 0, edition.timezone) for day in days]
    due = max(ends)
    return [Moment(f"completion:cohort:{edition.id}", "completion", f"cohort:{edition.id}",
                   edition.id, due, due + COMPLETION_USEFUL)]


# --- what is over --------------------------------------------------------------------------------


def meeting_over(meeting: Meeting, zone_name: str, now: datetime) -> bool:
    """A timed session once it ended; one whose time is to be announced once its day passed."""
    if meeting.ends_at is not None:
        return meeting.ends_at <= now
    return meeting.on_date < local_today(zone_name, now)


def edition_over(session: Session, edition_id: int, now: datetime) -> bool:
    """Whether the edition's last session, deadline and extension lie before today (in its
    zone): nothing of it is ahead, so a welcome or invitation would only be noise."""
    edition = session.get(Edition, edition_id)
    last = last_activity(session, edition_id)
    extended = session.exec(select(func.max(DeadlineExtension.due_date))
                            .join(Deadline, Deadline.id == DeadlineExtension.deadline_id)
                            .where(Deadline.edition_id == edition_id)).first()
    last = max((d for d in (last, extended) if d is not None), default=None)
    return edition is not None and last is not None and \
        last < to_local(now, edition.timezone).date()
