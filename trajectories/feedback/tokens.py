"""The signed links of feedback and who answered, as a keyed hash.

A link names one participant and one subject (a session, or an edition for its evaluation),
signed with the app's secret and a purpose (the salt: an evaluation link never opens a
session's question) and timestamped, so it expires. Nothing is stored for a link: answering
again through the same link changes the answer (`respondent` is the same). The signing is
`trajectories.mail.links`: a mail to many carries each recipient's own token, put in as it is
sent.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature

from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.mail import links
from trajectories.mail.render import personal_token

SESSION = "session"
EVALUATION = "evaluation"

#: How long a link in a mail works.
MAX_AGE = {SESSION: timedelta(days=60), EVALUATION: timedelta(days=60)}


@dataclass(frozen=True)
class Link:
    purpose: str
    participant_id: int
    subject_id: int


def make_token(secret_key: str, purpose: str, participant_id: int, subject_id: int) -> str:
    return links.make_token(secret_key, purpose, participant_id, subject_id)


def read_token(secret_key: str, purpose: str, token: str, subject_id: int,
               now: datetime | None = None) -> Link:
    """The link's participant, when `token` is this purpose's, for `subject_id`, unexpired;
    InvalidInput with a Dutch message otherwise."""
    try:
        payload, signed_at = links.serializer(secret_key, purpose).loads(
            token or "", return_timestamp=True)
    except BadSignature:
        raise InvalidInput(_l("Deze link is ongeldig. Gebruik de hele link uit de e-mail.")) \
            from None
    if (now or utcnow()) - signed_at > MAX_AGE[purpose]:
        raise InvalidInput(_l("Deze link is verlopen. Je kunt je antwoord niet meer geven."))
    if (not isinstance(payload, list) or len(payload) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in payload)):
        raise InvalidInput(_l("Deze link is ongeldig. Gebruik de hele link uit de e-mail."))
    if payload[1] != subject_id:
        raise InvalidInput(_l("Deze link hoort bij een andere sessie of editie. Gebruik de link "
                              "uit de e-mail over deze sessie."))
    return Link(purpose, payload[0], payload[1])


def respondent(secret_key: str, purpose: str, subject_id: int, participant_id: int) -> str:
    """Who answered, as stored: HMAC-SHA256 of purpose, subject and participant under a key
    derived from the secret. The same person gets a different value for each session, so their
    answers cannot be linked to each other either; without the key, not to a name."""
    key = hmac.new(secret_key.encode(), b"trajectories.feedback-respondent",
                   hashlib.sha256).digest()
    message = f"{purpose}:{subject_id}:{participant_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _language(participant) -> str:
    return "?lang=en" if participant.language == "en" else ""


def session_url(settings, participant, meeting_id: int, score: int) -> str:
    """The link in a coaching mail that answers "Hoe nuttig was deze sessie?" with `score`
    (the page opens in the participant's language)."""
    token = personal_token(settings.secret_key, participant, SESSION, meeting_id)
    return (f"{settings.base_url}/feedback/sessie/{meeting_id}/{token}/{score}"
            f"{_language(participant)}")


def evaluation_url(settings, participant, edition_id: int) -> str:
    token = personal_token(settings.secret_key, participant, EVALUATION, edition_id)
    return f"{settings.base_url}/feedback/evaluatie/{edition_id}/{token}{_language(participant)}"
