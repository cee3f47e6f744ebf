"""Reads of the audit log (`event_log`): the latest records, and the objects they name. Each
takes the database session first and changes nothing."""

from __future__ import annotations

from sqlmodel import Session, select

from trajectories.core.models import EventRecord


def latest_records(s: Session, limit: int) -> list[EventRecord]:
    """The newest records first."""
    return list(s.exec(select(EventRecord).order_by(EventRecord.id.desc()).limit(limit)))


def by_id(s: Session, model, ids: set[int]) -> dict:
    """{id: row} of a model for these ids, in one query (none when there are no ids)."""
    return {o.id: o for o in s.exec(select(model).where(model.id.in_(ids)))} if ids else {}
