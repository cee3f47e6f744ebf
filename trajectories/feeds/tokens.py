"""Personal feed tokens: 256 random bits in the URL, only their SHA-256 in the database.

Rotating replaces the hash, so the old URL answers 404 at once, exactly like a token that never
existed. The participant and a coordinator can both rotate (the `actor` of the session says who).
"""

from __future__ import annotations

import re
import secrets

from sqlmodel import Session, select

from trajectories.core import events
from trajectories.core.secrets import token_hash
from trajectories.core.service import service
from trajectories.people.events import ParticipantChanged
from trajectories.people.models import Participant

#: token_urlsafe(32): 43 characters of [A-Za-z0-9_-].
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


@service
def rotate_feed_token(session: Session, participant: Participant) -> str:
    """Give the participant a new personal feed URL; the old one stops working. Returns the
    token (shown once: only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    participant.feed_token_hash = token_hash(token)
    session.add(participant)
    session.flush()
    events.record(session, ParticipantChanged(participant_id=participant.id))
    return token


@service
def revoke_feed_token(session: Session, participant: Participant) -> None:
    """No personal feed at all until a new token is made."""
    if participant.feed_token_hash is None:
        return
    participant.feed_token_hash = None
    session.add(participant)
    session.flush()
    events.record(session, ParticipantChanged(participant_id=participant.id))


def personal_feed_path(token: str) -> str:
    """The app-relative URL of the personal feed behind `token`."""
    return f"/feeds/p/{token}.ics"


def participant_for_token(session: Session, token: str) -> Participant | None:
    """The participant whose feed this token opens, or None (malformed, rotated or unknown)."""
    if not token or not TOKEN_RE.match(token):
        return None
    return session.exec(select(Participant).where(
        Participant.feed_token_hash == token_hash(token))).first()
