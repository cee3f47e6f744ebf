"""A participant's choices for their personal feed (reminders), and keeping its Last-Modified
moving when something outside the schedule changes it (language, token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from trajectories.core import events
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service, whole_number
from trajectories.feeds.models import FeedPreference
from trajectories.people.events import ParticipantChanged
from trajectories.people.models import Participant

#: A reminder at most a week before.
MAX_ALARM_MINUTES = 7 * 24 * 60


def _preference(session: Session, participant_id: int) -> FeedPreference:
    return session.get(FeedPreference, participant_id) or FeedPreference(
        participant_id=participant_id)


@service
def set_feed_alarm(session: Session, participant: Participant, minutes: int | None) -> None:
    """Remind `minutes` before each session in the personal feed; None or 0: no reminders."""
    minutes = whole_number(minutes, "alarm_minutes",
                           _l("Vul het aantal minuten in als heel getal.")) or 0
    if minutes and not 0 < minutes <= MAX_ALARM_MINUTES:
        raise InvalidInput(_l("Kies een herinnering tussen 1 minuut en 1 week vooraf."),
                           "alarm_minutes")
    preference = _preference(session, participant.id)
    preference.alarm_minutes = minutes
    preference.updated_at = utcnow()
    session.add(preference)
    session.flush()
    events.record(session, ParticipantChanged(participant_id=participant.id))


def feed_alarm_minutes(session: Session, participant: Participant) -> int:
    """Minutes before each session the personal feed reminds; 0 when it does not."""
    return _preference(session, participant.id).alarm_minutes


def touch_personal_feed(event, db) -> None:
    """Language or token changed: move the personal feed's Last-Modified forward, so a client
    that revalidates with If-Modified-Since alone fetches it again."""
    if db is None:
        return
    with db.begin() as session:
        if session.get(Participant, event.participant_id) is None:
            return  # erased
        preference = _preference(session, event.participant_id)
        preference.updated_at = max(utcnow(), preference.updated_at)
        session.add(preference)
