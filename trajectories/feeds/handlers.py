"""The feeds' after-commit handlers: republish public feeds (`publish`), keep personal feeds'
Last-Modified moving (`preferences`), and make this process check feed versions again at once.
Imported once by `trajectories.handlers`."""

from .. import events
from . import build, preferences, publish  # noqa: F401

#: Every event that can change what some feed shows.
CHANGES = (
    events.TrackSaved, events.EditionSaved, events.EditionPublished, events.EditionDeleted,
    events.MeetingPlanned,
    events.MeetingChanged, events.MeetingRescheduled, events.MeetingCancelled, events.DeadlineSet,
    events.DeadlineRemoved, events.DeadlineExtended, events.EnrollmentApplied,
    events.EnrollmentAdmitted, events.EnrollmentWaitlisted, events.EnrollmentWithdrawn,
    events.SubmissionReceived, events.ParticipantChanged,
)


@events.subscribe(*CHANGES)
def forget_recent_feeds(event, db) -> None:
    """Other workers notice through the versions within build.FRESH_SECONDS; this one at once."""
    build.forget_recent_everywhere()
