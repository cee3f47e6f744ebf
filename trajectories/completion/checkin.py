"""Self check-in at a session: the coordinator shows a QR code of a link that works only while
the session runs (from CHECKIN_OPENS before its start until its end) and rotates: its token is an
HMAC of the session's id and a time window, accepted in the current window and the one before.
A participant signed in on their phone confirms with one button and is marked present. One who
is not signed in asks for a link by mail from the same page (while its QR token is valid): that
link, made for them and this session, signs them in and checks them in, with no second scan.

The token names the session, never a person: whoever uses it checks in as themselves, and a
token of one session is refused for any other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.accounts import tokens
from trajectories.completion.events import CheckedIn
from trajectories.core import events
from trajectories.core.clock import to_local, utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.mail import public as public_mail
from trajectories.people import services as people
from trajectories.people.models import TAKING_PART, Attendance, Enrollment, Participant
from trajectories.schedule.models import Meeting, MeetingStatus

#: Check-in opens this long before a session starts.
CHECKIN_OPENS = timedelta(minutes=15)
#: Each token is made for one window of this many seconds; the one before is accepted too.
WINDOW_SECONDS = 120


def _window(now: datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def _token(secret_key: str, meeting_id: int, window: int) -> str:
    digest = hmac.new(secret_key.encode(), f"checkin:{meeting_id}:{window}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode()


def checkin_token(secret_key: str, meeting_id: int, now: datetime | None = None) -> str:
    """The token of the check-in link shown now."""
    return _token(secret_key, meeting_id, _window(now or utcnow()))


def token_valid(secret_key: str, meeting_id: int, token: str, now: datetime | None = None) -> bool:
    window = _window(now or utcnow())
    return any(hmac.compare_digest(_token(secret_key, meeting_id, w), token or "")
               for w in (window, window - 1))


def checkin_open(meeting: Meeting, now: datetime) -> bool:
    return (meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at is not None
            and meeting.starts_at - CHECKIN_OPENS <= now <= meeting.ends_at)


def refusal(meeting: Meeting, zone_name: str, now: datetime) -> str | None:
    """Why check-in at this session is not possible now (None: it is open)."""
    if meeting.status != MeetingStatus.SCHEDULED:
        return _l("Deze sessie is geannuleerd: inchecken kan niet.")
    if meeting.starts_at is None:
        return _l("De tijd van deze sessie staat nog niet vast: inchecken kan nog niet.")
    opens = meeting.starts_at - CHECKIN_OPENS
    if now < opens:
        at = to_local(opens, zone_name).strftime("%H:%M")
        return _l("Inchecken voor deze sessie kan pas vanaf %(time)s op de dag van de sessie.",
                  time=at)
    if now > meeting.ends_at:
        return _l("Deze sessie is voorbij: inchecken kan niet meer.")
    return None


def takes_part(session: Session, participant_id: int, edition_id: int) -> bool:
    return session.exec(select(Enrollment.id).where(
        Enrollment.participant_id == participant_id, Enrollment.edition_id == edition_id,
        Enrollment.status.in_(TAKING_PART))).first() is not None


STALE_LINK = _l("Deze check-in-link is verlopen of hoort bij een andere sessie. Scan de "
                 "QR-code op het scherm opnieuw.")


@service
def check_in(session: Session, meeting: Meeting, participant: Participant, token: str, *,
             secret_key: str, zone_name: str, now: datetime | None = None) -> Attendance:
    """Mark `participant` present at `meeting`, if the link is this session's and it runs now."""
    now = now or utcnow()
    why = refusal(meeting, zone_name, now)
    if why is not None:
        raise InvalidInput(why)
    if not token_valid(secret_key, meeting.id, token, now):
        raise InvalidInput(STALE_LINK)
    return _mark_present(session, meeting, participant, now)


def _mark_present(session: Session, meeting: Meeting, participant: Participant,
                  now: datetime) -> Attendance:
    if not takes_part(session, participant.id, meeting.edition_id):
        raise InvalidInput(_l("Je neemt niet deel aan de editie van deze sessie: inchecken kan "
                              "alleen voor je eigen sessies."))
    row = session.get(Attendance, (meeting.id, participant.id)) or Attendance(
        meeting_id=meeting.id, participant_id=participant.id, present=True)
    row.present, row.recorded_at = True, now
    session.add(row)
    session.flush()
    events.record(session, CheckedIn(meeting_id=meeting.id, edition_id=meeting.edition_id,
                                     participant_id=participant.id))
    return row


# --- not signed in: a check-in link by mail ------------------------------------------------------


@service
def request_link(session: Session, meeting: Meeting, qr_token: str, email: str, *,
                 secret_key: str, zone_name: str, link_for) -> None:
    """Mail a link that checks the owner of `email` in at `meeting`, asked from the check-in page
    while it is open and its QR token valid (so only who sees the screen or the chat can ask).
    An address that does not take part gets no mail and the same answer, so the form does not
    reveal who takes part. `link_for(token)`: the link's absolute URL."""
    now = utcnow()
    why = refusal(meeting, zone_name, now)
    if why is not None:
        raise InvalidInput(why)
    if not token_valid(secret_key, meeting.id, qr_token, now):
        raise InvalidInput(STALE_LINK)
    participant = people.find_participant(session, email)
    if participant is None or not takes_part(session, participant.id, meeting.edition_id):
        return
    link = link_for(tokens.make_token(secret_key, tokens.CHECKIN,
                                      {"p": participant.id, "e": participant.email,
                                       "m": meeting.id}))
    public_mail.send(session, to=participant.email, template="checkin",
                     language=participant.language, dedupe_key=f"public_checkin:{link[-27:]}",
                     participant_id=participant.id, edition_id=meeting.edition_id,
                     name=participant.name, title=meeting.title, link=link)


@service
def check_in_by_link(session: Session, meeting: Meeting, token: str, *, secret_key: str,
                     zone_name: str) -> Participant:
    """Follow a mailed check-in link, once, while the session runs: its owner is marked present
    (and is then signed in by the page). A link of another session is refused."""
    payload = tokens.read_token(secret_key, tokens.CHECKIN, token)
    participant = session.get(Participant, payload.get("p"))
    if (payload.get("m") != meeting.id or participant is None
            or participant.email != payload.get("e")):
        raise InvalidInput(_l("Deze link is ongeldig."))
    now = utcnow()
    why = refusal(meeting, zone_name, now)
    if why is not None:
        raise InvalidInput(why)
    tokens.consume(session, tokens.CHECKIN, payload)
    _mark_present(session, meeting, participant, now)
    return participant
