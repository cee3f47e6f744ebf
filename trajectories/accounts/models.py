"""Coordinators: the staff accounts of an organiser (an admin sees all organisers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow


class Coordinator(SQLModel, table=True):
    """A staff account of an organiser; an admin sees all organisers."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    #: None only for admins.
    organiser_id: int | None = Field(default=None, foreign_key="organiser.id", index=True)
    is_admin: bool = False
    #: A jury member of the award: sees the nominations of their rounds and scores them, nothing
    #: else under /beheer.
    jury_only: bool = False
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="coordinator_email_lower"),
        CheckConstraint("is_admin OR organiser_id IS NOT NULL", name="coordinator_has_organiser"),
    )
