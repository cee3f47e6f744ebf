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


class PublicationRequest(SQLModel, table=True):
    """Public feed files due to be written again, recorded in the transaction of the change that
    made them stale (`trajectories.feeds.requests`). The publisher (the scheduler's leader, or the
    saving process when `TRAJECTORIES_FEED_PUBLISHER=web`) writes the organiser's feed, and the
    track's and edition's when given, then deletes the rows it read: only after the files are
    renamed into place, so a crash leaves them for the next publisher. Newer rows of the same
    organiser are merged with older ones into one build (they supersede)."""

    __tablename__ = "publication_request"

    id: int | None = Field(default=None, primary_key=True)
    organiser_id: int = Field(index=True)
    #: This track's feed too; with no edition: every edition feed of the track (its name changed).
    track_id: int | None = None
    #: This edition's feed too.
    edition_id: int | None = None
    requested_at: datetime = Field(default_factory=utcnow)
