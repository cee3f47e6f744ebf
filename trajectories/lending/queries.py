"""Reads of the lending tables: objects, an object's queue, its loans (public and for the
coordinator), the calendar of loans."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from trajectories.lending.models import WAITING, LendableObject, Loan, LoanStatus
from trajectories.people.models import Organisation, Participant
from trajectories.scheduler.models import MomentStatus, PlannedMoment


def objects(session: Session, organiser_ids: list[int] | None = None, *,
            available_only: bool = False) -> list[LendableObject]:
    query = select(LendableObject).order_by(LendableObject.name)
    if organiser_ids is not None:
        query = query.where(LendableObject.organiser_id.in_(organiser_ids))
    if available_only:
        query = query.where(LendableObject.available.is_(True))
    return list(session.exec(query))


def by_slug(session: Session, slug: str) -> LendableObject | None:
    return session.exec(select(LendableObject).where(LendableObject.slug == slug)).first()


def public_loans(session: Session, object_id: int, *, since: date | None = None,
                 cancelled: bool = False) -> list[tuple[Loan, Organisation]]:
    """Approved loans (and cancelled ones, for the feed) with their municipality, by date;
    no contact details."""
    statuses = [LoanStatus.APPROVED] + ([LoanStatus.CANCELLED] if cancelled else [])
    query = (select(Loan, Organisation).join(Organisation, Organisation.id == Loan.organisation_id)
             .where(Loan.object_id == object_id, Loan.status.in_(statuses))
             .order_by(Loan.starts_on, Loan.id))
    if since is not None:
        query = query.where(Loan.ends_on >= since)
    return list(session.exec(query))


def queue(session: Session, object_id: int) -> list[dict]:
    """The requests waiting, first come first served, with municipality and contact."""
    rows = session.exec(
        select(Loan, Organisation, Participant)
        .join(Organisation, Organisation.id == Loan.organisation_id)
        .join(Participant, Participant.id == Loan.participant_id, isouter=True)
        .where(Loan.object_id == object_id, Loan.status.in_(WAITING))
        .order_by(Loan.requested_at, Loan.id))
    return [{"loan": loan, "organisation": org, "contact": person} for loan, org, person in rows]


def decided(session: Session, object_id: int) -> list[dict]:
    """Every loan decided on (approved, declined, cancelled), latest period first."""
    rows = session.exec(
        select(Loan, Organisation, Participant)
        .join(Organisation, Organisation.id == Loan.organisation_id)
        .join(Participant, Participant.id == Loan.participant_id, isouter=True)
        .where(Loan.object_id == object_id, Loan.status.not_in(WAITING))
        .order_by(Loan.starts_on.desc(), Loan.id.desc()))
    return [{"loan": loan, "organisation": org, "contact": person} for loan, org, person in rows]


def calendar(session: Session, organiser_ids: list[int] | None) -> list[dict]:
    """Every approved loan of the coordinator's objects, by date: the loans calendar."""
    query = (select(Loan, LendableObject, Organisation)
             .join(LendableObject, LendableObject.id == Loan.object_id)
             .join(Organisation, Organisation.id == Loan.organisation_id)
             .where(Loan.status == LoanStatus.APPROVED)
             .order_by(Loan.starts_on, Loan.id))
    if organiser_ids is not None:
        query = query.where(LendableObject.organiser_id.in_(organiser_ids))
    return [{"loan": loan, "object": obj, "organisation": org}
            for loan, obj, org in session.exec(query)]


def reminders(session: Session, loan_ids: list[int]) -> dict[int, list[PlannedMoment]]:
    """{loan id: its hand-over and return reminders still planned, or done}, soonest first."""
    if not loan_ids:
        return {}
    found: dict[int, list[PlannedMoment]] = {}
    for row in session.exec(select(PlannedMoment).where(
            PlannedMoment.subject.in_([f"loan:{i}" for i in loan_ids]),
            PlannedMoment.status.in_([MomentStatus.PLANNED, MomentStatus.DONE]))
            .order_by(PlannedMoment.due_at)):
        found.setdefault(int(row.subject.split(":")[1]), []).append(row)
    return found
