"""Reads of the outbox for the coordinator's pages: an edition's mails by status, the count per
status, and which editions have failed mails. Each takes the database session first and changes
nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.mail.models import MailStatus, OutboxMessage


def outbox(s: Session, edition_id: int, status: str | None = None,
           limit: int = 100) -> list[OutboxMessage]:
    """An edition's mails, newest first (only those in `status`, when given)."""
    query = select(OutboxMessage).where(OutboxMessage.edition_id == edition_id)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(s.exec(query.order_by(OutboxMessage.id.desc()).limit(limit)))


def status_counts(s: Session, edition_id: int) -> Counter:
    """{status: number of the edition's mails in it}."""
    return Counter(dict(s.exec(select(OutboxMessage.status, func.count())
                               .where(OutboxMessage.edition_id == edition_id)
                               .group_by(OutboxMessage.status)).all()))


def failed_counts(s: Session, edition_ids: list[int]) -> dict[int, int]:
    """{edition_id: failed mails} for those of these editions with any."""
    if not edition_ids:
        return {}
    return dict(s.exec(select(OutboxMessage.edition_id, func.count()).where(
        OutboxMessage.edition_id.in_(edition_ids), OutboxMessage.status == MailStatus.FAILED)
        .group_by(OutboxMessage.edition_id)).all())
