"""The feeds' after-commit handlers: republish public feeds (`publish`), keep personal feeds'
Last-Modified moving (`preferences`), and make this process check feed versions again at once.
Imported once by `trajectories.handlers`."""

from trajectories.catalogue.events import (
    EditionDeleted,
    EditionPublished,
    EditionSaved,
    TrackSaved,
)
from trajectories.core import events
from trajectories.feeds import build, preferences, publish  # noqa: F401
from trajectories.people.events import (
    EnrollmentAdmitted,
    EnrollmentApplied,
    EnrollmentWaitlisted,
    EnrollmentWithdrawn,
    ParticipantChanged,
    SubmissionReceived,
)
from trajectories.schedule.events import (
    DeadlineExtended,
    DeadlineRemoved,
    DeadlineSet,
    MeetingCancelled,
    MeetingChanged,
    MeetingPlanned,
    MeetingRescheduled,
)

#: Every event that can change what some feed shows.
CHANGES = (
    TrackSaved, EditionSaved, EditionPublished, EditionDeleted,
    MeetingPlanned,
    MeetingChanged, MeetingRescheduled, MeetingCancelled, DeadlineSet,
    DeadlineRemoved, DeadlineExtended, EnrollmentApplied,
    EnrollmentAdmitted, EnrollmentWaitlisted, EnrollmentWithdrawn,
    SubmissionReceived, ParticipantChanged,
)


@events.subscribe(*CHANGES)
def forget_recent_feeds(event, db) -> None:
    """Other workers notice through the versions within build.FRESH_SECONDS; this one at once."""
    build.forget_recent_everywhere()
