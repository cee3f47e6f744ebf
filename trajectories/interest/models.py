"""The interest list's table: who asked to hear when a track opens registration."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow

#: How long an entry is kept while the track has no edition (the form and privacy page say so).
RETENTION_DAYS = 730


class InterestEntry(SQLModel, table=True):
    """A confirmed "Houd me op de hoogte" for one track: one mail per edition that opens."""

    __tablename__ = "interest_entry"

    id: int | None = Field(default=None, primary_key=True)
    track_id: int = Field(foreign_key="track.id", index=True, ondelete="CASCADE")
    #: The person (a participant row, so /mijn, export and erasure reach the entry).
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    #: The municipality (or other body) named in the form; counted per municipality.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True,
                                        ondelete="SET NULL")
    #: When the person confirmed by the link in the mail (double opt-in).
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (UniqueConstraint("track_id", "participant_id", name="interest_once"),)
