"""Tables of the feeds area."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow

#: Minutes before a session that personal feeds remind, unless the participant chose otherwise.
DEFAULT_ALARM_MINUTES = 30


class FeedPreference(SQLModel, table=True):
    """A participant's choices for their personal feed; no row means the defaults."""

    __tablename__ = "feed_preference"

    participant_id: int = Field(foreign_key="participant.id", primary_key=True,
                                ondelete="CASCADE")
    #: Minutes before each session for the VALARM reminder; 0: no reminders. (Not NULL: the
    #: ORM would put the column default in place of an explicit None.)
    alarm_minutes: int = DEFAULT_ALARM_MINUTES
    #: Moves forward whenever the personal feed changes for a reason no other row records
    #: (reminder choice, language): the feed's Last-Modified must follow.
    updated_at: datetime = Field(default_factory=utcnow)
