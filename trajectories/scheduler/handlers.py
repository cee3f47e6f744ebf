"""Domain events re-plan the moments of what they touched, after the change committed.

These run in whichever process made the change (a web worker, the CLI); they only write
`planned_moment` rows. The scheduler process picks the changed rows up and repairs its job store
(`runtime.sync_jobs`), so only that one process ever touches the job store. If a process dies
between its commit and these handlers, the scheduler's periodic full re-plan repairs the plan.
`SUBSCRIPTIONS` in `trajectories.app` says which events each one handles.
"""

from __future__ import annotations

import logging

from sqlalchemy import or_, update
from sqlmodel import select

from trajectories.mail.models import MailStatus, OutboxMessage
from trajectories.people.models import Enrollment, EnrollmentStatus
from trajectories.scheduler import plan

log = logging.getLogger(__name__)


def _with_session(db, work) -> None:
    if db is None:
        return
    with db.begin(actor="scheduler") as session:
        work(session)


def on_meeting_planned(event, db) -> None:
    def work(session):
        plan.replan_meeting(session, event.meeting_id)
        plan.plan_notice(session, kind="invite", subject=f"session:{event.meeting_id}",
                         edition_id=event.edition_id)
        plan.plan_digest(session, event.edition_id)
        plan.plan_evaluation(session, event.edition_id)
        plan.plan_completion(session, event.edition_id)
    _with_session(db, work)


def on_meeting_changed(event, db) -> None:
    def work(session):
        plan.replan_meeting(session, event.meeting_id)
        # Debounced: each change pushes the update back, so quick edits send one mail.
        plan.plan_notice(session, kind="update", subject=f"session:{event.meeting_id}",
                         edition_id=event.edition_id)
        plan.remove_notices(session, f"session:{event.meeting_id}", ("invite",))
        plan.plan_evaluation(session, event.edition_id)
        plan.plan_completion(session, event.edition_id)
    _with_session(db, work)


def on_meeting_cancelled(event, db) -> None:
    def work(session):
        plan.replan_meeting(session, event.meeting_id)
        plan.remove_notices(session, f"session:{event.meeting_id}", ("invite", "update"))
        plan.plan_notice(session, kind="cancel", subject=f"session:{event.meeting_id}",
                         edition_id=event.edition_id)
        plan.plan_evaluation(session, event.edition_id)
        plan.plan_completion(session, event.edition_id)
    _with_session(db, work)


def on_deadline_changed(event, db) -> None:
    def work(session):
        plan.replan_deadline(session, event.deadline_id)
        plan.plan_digest(session, event.edition_id)
        plan.plan_completion(session, event.edition_id)
    _with_session(db, work)


def on_edition_saved(event, db) -> None:
    """The zone, the coordinator or the mail settings (reminder and nudge days, send hour,
    coaching delay) may have changed: re-plan the edition."""
    _with_session(db, lambda session: plan.replan_edition(session, event.edition_id))


def on_edition_published(event, db) -> None:
    """A draft went public: plan its reminders, nudges and digest, and welcome whoever a
    coordinator admitted while it was a draft."""
    def work(session):
        plan.replan_edition(session, event.edition_id)
        for enrollment in session.exec(select(Enrollment).where(
                Enrollment.edition_id == event.edition_id,
                Enrollment.status == EnrollmentStatus.ADMITTED)):
            plan.plan_notice(session, kind="welcome", subject=f"enrollment:{enrollment.id}",
                             edition_id=event.edition_id, participant_id=enrollment.participant_id,
                             delay=plan.DEBOUNCE / 3)
    _with_session(db, work)


def on_admitted(event, db) -> None:
    _with_session(db, lambda session: plan.plan_notice(
        session, kind="welcome", subject=f"enrollment:{event.enrollment_id}",
        edition_id=event.edition_id, participant_id=event.participant_id,
        delay=plan.DEBOUNCE / 3))


def _withdraw_queued(session, participant_id: int, why: str, *conditions) -> None:
    session.execute(update(OutboxMessage).where(
        OutboxMessage.participant_id == participant_id,
        OutboxMessage.status.in_([MailStatus.QUEUED, MailStatus.HELD]), *conditions)
        .values(status=MailStatus.FAILED, last_error=why)
        .execution_options(synchronize_session=False))


def on_submission(event, db) -> None:
    """Nudges stop at once: future moments skip this participant when they fire, and nudges
    already queued but not yet sent are withdrawn."""
    prefix = f"deadline:{event.deadline_id}:"
    _with_session(db, lambda session: _withdraw_queued(
        session, event.participant_id, "delivered",
        or_(OutboxMessage.dedupe_key.startswith(f"nudge:{prefix}"),
            OutboxMessage.dedupe_key.startswith(f"overdue:{prefix}"))))


def on_withdrawn(event, db) -> None:
    _with_session(db, lambda session: _withdraw_queued(
        session, event.participant_id, "withdrawn", OutboxMessage.edition_id == event.edition_id))


