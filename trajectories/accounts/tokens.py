"""Signed links for people without a password: the registration confirmation (double opt-in)
and the sign-in link to "my trajectories".

A link carries a payload signed with the app's secret key (itsdangerous), a purpose (the salt,
so a confirmation link can never be used to sign in) and a random id. The link expires by its
signed timestamp; it is single-use because its id is written to `used_token` in the same
transaction as what it does. Only that random id is stored, never the link.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Field, Session, SQLModel, delete

from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput

CONFIRM = "registration-confirm"
SIGNIN = "signin"
#: Confirming "Houd me op de hoogte" (a track's interest list).
INTEREST = "interest-confirm"
#: Confirming a request to borrow an object (lending), and accepting another proposed period.
LOAN = "loan-confirm"
LOAN_PROPOSAL = "loan-proposal"
#: Checking in at a session by a link mailed from its check-in page (for one not signed in).
CHECKIN = "checkin"

#: How long a link works.
MAX_AGE = {CONFIRM: timedelta(hours=72), SIGNIN: timedelta(minutes=60),
           INTEREST: timedelta(hours=72), LOAN: timedelta(hours=72),
           LOAN_PROPOSAL: timedelta(days=14), CHECKIN: timedelta(minutes=60)}


class UsedToken(SQLModel, table=True):
    """The random id of a link that has been used; kept until the link would have expired."""

    __tablename__ = "used_token"

    #: The link's random id (128 bits, hex).
    jti: str = Field(primary_key=True, max_length=32)
    purpose: str = Field(max_length=30)
    used_at: datetime = Field(default_factory=utcnow)
    #: After this moment the signature has expired anyway, so the row can go.
    expires_at: datetime = Field(index=True)


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"trajectories.{purpose}")


def make_token(secret_key: str, purpose: str, payload: dict) -> str:
    return _serializer(secret_key, purpose).dumps({**payload, "j": secrets.token_hex(16)})


def read_token(secret_key: str, purpose: str, token: str, *, now: datetime | None = None) -> dict:
    """The payload of a valid, unexpired link; InvalidInput with a Dutch message otherwise.
    (Whether it was used already is checked by `consume`.)"""
    serializer = _serializer(secret_key, purpose)
    max_age = int(MAX_AGE[purpose].total_seconds())
    try:
        if now is None:
            payload = serializer.loads(token or "", max_age=max_age)
        else:
            payload, signed_at = serializer.loads(token or "", return_timestamp=True)
            if (now - signed_at).total_seconds() > max_age:
                raise SignatureExpired("expired")
    except SignatureExpired:
        raise InvalidInput(_l("Deze link is verlopen. Vraag hieronder een nieuwe aan.")) from None
    except BadSignature:
        raise InvalidInput(_l("Deze link is ongeldig. Controleer of je de hele link uit de e-mail "
                              "hebt gebruikt, of vraag een nieuwe aan.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("j"), str):
        raise InvalidInput(_l("Deze link is ongeldig."))
    return payload


def consume(session: Session, purpose: str, payload: dict) -> None:
    """Mark the link used, in the caller's transaction; refuse a link used before."""
    if session.get(UsedToken, payload["j"]) is not None:
        raise InvalidInput(_l("Deze link is al gebruikt. Vraag een nieuwe aan."))
    now = utcnow()
    # Forget ids whose links have expired anyway: the table stays as small as the window.
    session.exec(delete(UsedToken).where(UsedToken.expires_at < now))
    session.add(UsedToken(jti=payload["j"], purpose=purpose, used_at=now,
                          expires_at=now + MAX_AGE[purpose]))
    session.flush()
