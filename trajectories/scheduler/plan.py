"""Planning: the moments an edition's sessions and deadlines need, written as rows.

Each planning function takes the wanted moments of one subject (a session, a deadline, an
edition; computed by `trajectories.scheduler.moments`) and reconciles them with the stored rows:
new moments are added, moved ones get their new time (and are planned again if they had already
fired: a new occurrence), unwanted ones are marked removed. A moment that is already past when it
is first planned is marked skipped, so planning a session for the day after tomorrow sends no
"in 7 days" reminder; only moments that were planned in time are sent late (while useful).

Recipients are not planned: a job works them out when it fires, so a change touches a handful of
rows whatever the size of the edition. A draft edition gets no moments until it is published.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition
from trajectories.core.clock import utcnow
from trajectories.mail.models import DEFAULT_NUDGE_DAYS, EditionMailSettings, settings_for
from trajectories.schedule.models import Deadline, DeadlineExtension, Meeting
from trajectories.scheduler import batch, moments
from trajectories.scheduler.models import MomentStatus, PlannedMoment

log = logging.getLogger(__name__)

#: Quick successive edits of a session are gathered into one update mail.
DEBOUNCE = timedelta(minutes=3)
#: An update or welcome that went unsent this long is no longer worth sending.
NOTICE_USEFUL = timedelta(days=14)


# --- writing the plan ----------------------------------------------------------------------------


def _bump(row: PlannedMoment, now: datetime) -> None:
    row.version += 1
    row.updated_at = now


#: Notes of moments skipped when planned (shown on the coordinators' mail schedule page).
PAST_WHEN_PLANNED = "past when planned"
EDITION_OVER = "edition is over"


def _fresh(moment: moments.Moment, now: datetime) -> dict:
    """The column values of a newly planned moment (skipped if already past)."""
    past = moment.due_at < now - timedelta(seconds=1)
    return dict(job_id=moment.job_id, kind=moment.kind, subject=moment.subject,
                edition_id=moment.edition_id, participant_id=moment.participant_id,
                due_at=moment.due_at, useful_until=moment.useful_until,
                status=MomentStatus.SKIPPED if past else MomentStatus.PLANNED,
                note=PAST_WHEN_PLANNED if past else "", processed_at=now if past else None,
                version=1, synced_version=0, updated_at=now)


def _apply(row, moment: moments.Moment, now: datetime, refire: bool = False) -> bool:
    """Move a stored moment (a PlannedMoment or a `batch.StoredMoment`) to `moment`; whether it
    changed. `refire`: plan it again even if it fired at this same time (a debounced notice
    pushed forward)."""
    moved = row.due_at != moment.due_at or row.useful_until != moment.useful_until
    revived = row.status == MomentStatus.REMOVED
    if not (moved or revived or refire):
        return False
    row.due_at, row.useful_until = moment.due_at, moment.useful_until
    if moment.due_at < now - timedelta(seconds=1):
        row.status, row.note, row.processed_at = MomentStatus.SKIPPED, PAST_WHEN_PLANNED, now
    else:
        row.status, row.note, row.processed_at = MomentStatus.PLANNED, "", None
    _bump(row, now)
    return True


def _retire(row, now: datetime, why: str) -> bool:
    """Mark a stored moment that is still planned removed; whether it changed."""
    if row.status != MomentStatus.PLANNED:
        return False
    row.status, row.note = MomentStatus.REMOVED, why
    _bump(row, now)
    return True


def _store(session: Session, moment: moments.Moment, now: datetime,
           existing: PlannedMoment | None, *, refire: bool = False) -> PlannedMoment:
    """Insert or move one moment."""
    if existing is None:
        row = PlannedMoment(**_fresh(moment, now))
        session.add(row)
        return row
    if _apply(existing, moment, now, refire):
        session.add(existing)
    return existing


def _remove(session: Session, row: PlannedMoment, now: datetime, why: str) -> None:
    if _retire(row, now, why):
        session.add(row)


def reconcile_subject(session: Session, subject: str, kinds: tuple[str, ...],
                      wanted: list[moments.Moment], now: datetime) -> None:
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
DIGEST_KINDS = ("digest",)
EVALUATION_KINDS = ("evaluation", "evaluation_reminder")
COMPLETION_KINDS = ("completion",)
#: Every kind a whole re-plan (`edition_wanted`) works out.
PLANNED_KINDS = (*MEETING_KINDS, *DEADLINE_KINDS, *DIGEST_KINDS, *EVALUATION_KINDS,
                 *COMPLETION_KINDS)


def replan_meeting(session: Session, meeting_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    meeting = session.get(Meeting, meeting_id)
    subject = f"session:{meeting_id}"
    if meeting is None:
        reconcile_subject(session, subject, (*MEETING_KINDS, "invite", "update"), [], now)
        return
    edition = session.get(Edition, meeting.edition_id)
    wanted = [] if edition.draft else moments.meeting_moments(
        meeting, edition, settings_for(session, edition.id))
    reconcile_subject(session, subject, MEETING_KINDS, wanted, now)


def replan_deadline(session: Session, deadline_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    deadline = session.get(Deadline, deadline_id)
    subject = f"deadline:{deadline_id}"
    if deadline is None:
        reconcile_subject(session, subject, DEADLINE_KINDS, [], now)
        return
    edition = session.get(Edition, deadline.edition_id)
    wanted = [] if edition.draft else moments.deadline_moments(
        session, deadline, edition, settings_for(session, edition.id))
    reconcile_subject(session, subject, DEADLINE_KINDS, wanted, now)


def plan_digest(session: Session, edition_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    edition = session.get(Edition, edition_id)
    wanted = [] if edition is None or edition.draft else moments.digest_moments(
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


def replan_edition(session: Session, edition_id: int, now: datetime | None = None) -> None:
    """Everything of one edition (after a change of its zone or mail settings)."""
    plan_editions(session, [edition_id], now or utcnow())


@dataclass(frozen=True)
class Wanted:
    """The moments one subject wants, of these kinds. `keep_due`: stored ones already due stay
    when no longer wanted (their firing decides: a digest re-planned at its very moment)."""

    subject: str
    kinds: tuple[str, ...]
    moments: list[moments.Moment]
    keep_due: bool = False


def edition_wanted(session: Session, rows: batch.EditionRows, now: datetime) -> list[Wanted]:
    """What every subject of one edition wants, by the rules in `moments` on rows loaded
    beforehand (a new kind of moment of an edition is added here, with its kinds in
    PLANNED_KINDS). A draft wants nothing until it is published."""
    edition, prefs = rows.edition, rows.prefs
    draft = edition.draft
    wanted = [Wanted(f"session:{meeting.id}", MEETING_KINDS,
                     [] if draft else moments.meeting_moments(meeting, edition, prefs))
              for meeting in rows.meetings]
    wanted += [Wanted(f"deadline:{deadline.id}", DEADLINE_KINDS, [] if draft else
                      moments.deadline_moments(session, deadline, edition, prefs,
                                               rows.extensions.get(deadline.id, [])))
               for deadline in rows.deadlines]
    wanted.append(Wanted(f"cohort:{edition.id}", DIGEST_KINDS, [] if draft else
                         moments.digest_moments(session, edition, prefs, now,
                                                last=rows.last_activity), keep_due=True))
    wanted.append(Wanted(f"edition:{edition.id}", EVALUATION_KINDS, [] if draft else
                         moments.evaluation_moments(session, edition, prefs, rows.meetings,
                                                    rows.track)))
    wanted.append(Wanted(f"cohort:{edition.id}", COMPLETION_KINDS, [] if draft else
                         moments.completion_moments(session, edition, rows.meetings,
                                                    rows.due_dates, rows.track)))
    return wanted


def plan_editions(session: Session, edition_ids: list[int], now: datetime) -> None:
    """Re-plan every subject of these editions: their rows and stored moments read per chunk
    of editions (`batch`), the differences worked out in memory, written in bulk."""
    for chunk in batch.chunks(edition_ids):
        loaded = batch.load_editions(session, chunk)
        stored = batch.load_stored(session, chunk, PLANNED_KINDS)
        new, moved, retired = [], [], []
        for rows in loaded.values():
            for want in edition_wanted(session, rows, now):
                mine = {job_id: row for job_id, row in stored.get(want.subject, {}).items()
                        if row.kind in want.kinds}
                for moment in want.moments:
                    row = mine.pop(moment.job_id, None)
                    if row is None:
                        new.append(_fresh(moment, now))
                    elif _apply(row, moment, now):
                        moved.append(row)
                for row in mine.values():
                    if not (want.keep_due and row.due_at <= now) and \
                            _retire(row, now, "no longer planned"):
                        retired.append(row)
        batch.write(session, new, moved, retired)


#: Beyond an edition's last day and its latest overdue nudge: digests, coaching mails, time zones.
FINISHED_SLACK = moments.DIGEST_ACTIVE_AFTER + timedelta(days=14)


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
    plan_editions(session, unfinished_edition_ids(session, now), now)


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
    moment = moments.Moment(job_id, kind, subject, edition_id, due, due + useful, participant_id)
    row = _store(session, moment, now, existing, refire=True)
    if row.status == MomentStatus.PLANNED and moments.edition_over(session, edition_id, now):
        # History (an edition loaded or edited after its last day) sends nothing.
        row.status, row.note, row.processed_at = MomentStatus.SKIPPED, EDITION_OVER, now
        session.add(row)
    session.flush()


def remove_notices(session: Session, subject: str, kinds: tuple[str, ...],
                   now: datetime | None = None) -> None:
    now = now or utcnow()
    for row in session.exec(select(PlannedMoment).where(PlannedMoment.subject == subject,
                                                        PlannedMoment.kind.in_(kinds))):
        _remove(session, row, now, "superseded")
    session.flush()



def plan_evaluation(session: Session, edition_id: int, now: datetime | None = None) -> None:
    """The end-of-edition evaluation and its reminder, after the last session (which a new,
    moved or cancelled session may change)."""
    now = now or utcnow()
    edition = session.get(Edition, edition_id)
    wanted = [] if edition is None or edition.draft else moments.evaluation_moments(
        session, edition, settings_for(session, edition_id))
    reconcile_subject(session, f"edition:{edition_id}", EVALUATION_KINDS, wanted, now)


def plan_completion(session: Session, edition_id: int, now: datetime | None = None) -> None:
    """The moment the edition's completion rules are applied (`moments.completion_moments`)."""
    now = now or utcnow()
    edition = session.get(Edition, edition_id)
    wanted = [] if edition is None or edition.draft else moments.completion_moments(
        session, edition)
    reconcile_subject(session, f"cohort:{edition_id}", COMPLETION_KINDS, wanted, now)
