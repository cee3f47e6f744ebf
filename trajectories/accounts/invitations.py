"""Accounts that start without a password: an invited jury member chooses one through a mailed
link, signed like the password-reset link but with its own purpose and a longer life.

An account without a password holds a marker instead of a hash ("!" and random hex: Argon2
hashes start with "$", so no password ever matches it). The link carries the marker's tail:
once a password is chosen, or a new invitation draws a new marker, the link is spent. So it
works once, for `MAX_AGE`, and only the latest invitation works.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from trajectories.accounts.models import Coordinator

#: The token's purpose (the serializer's salt): never valid as a password-reset link.
PURPOSE = "coordinator-invitation"
#: How long an invitation works: a juror may read the mail days later.
MAX_AGE = timedelta(days=7)
UNSET = "!"


def no_password() -> str:
    """A stored value no password matches, new each time (so older links stop working)."""
    return f"{UNSET}invited:{secrets.token_hex(16)}"


def has_password(row: Coordinator) -> bool:
    """Whether the account has chosen a password ("actief") or is only invited."""
    return not row.password_hash.startswith(UNSET)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"trajectories.{PURPOSE}")


def make_token(secret_key: str, row: Coordinator, round_id: int) -> str:
    """The link's token: the account, its marker's tail and the round the juror lands on."""
    return _serializer(secret_key).dumps([row.id, row.password_hash[-16:], round_id])


def read_token(session: Session, secret_key: str, token: str) -> tuple[Coordinator, int] | None:
    """(account, round id) of a valid, unexpired, unused invitation; None otherwise."""
    try:
        row_id, fingerprint, round_id = _serializer(secret_key).loads(
            token, max_age=int(MAX_AGE.total_seconds()))
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    if not isinstance(row_id, int) or not isinstance(round_id, int):
        return None
    row = session.get(Coordinator, row_id)
    if row is None or has_password(row) or row.password_hash[-16:] != fingerprint:
        return None
    return row, round_id
