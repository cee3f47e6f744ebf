"""Reads of coordinator accounts. Each takes the database session first and changes nothing."""

from __future__ import annotations

from sqlmodel import Session, select

from trajectories.accounts.models import Coordinator


def coordinators(s: Session) -> list[Coordinator]:
    """Every account, by name."""
    return list(s.exec(select(Coordinator).order_by(Coordinator.name)))


def by_email(s: Session, email: str) -> Coordinator | None:
    """The account with this address (as typed: trimmed and lower-cased here)."""
    return s.exec(select(Coordinator).where(
        Coordinator.email == (email or "").strip().lower())).first()
