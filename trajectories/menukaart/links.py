"""The Menukaart's single-use mail links: a random token (256 bits) in the mail, only its
SHA-256 on the example; using it clears it, so it works once, and it expires."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.secrets import token_hash
from trajectories.menukaart.models import Example

#: How long a proposal's confirmation link works (like registration's).
CONFIRM_AGE = timedelta(hours=72)
#: How long the municipality has to answer a consent request.
CONSENT_AGE = timedelta(days=14)


def open_link(example: Example, age: timedelta) -> str:
    """Give the example a new link (an older one stops working); returns the token."""
    token = secrets.token_urlsafe(32)
    example.token_hash = token_hash(token)
    example.token_expires_at = utcnow() + age
    return token


def close_link(example: Example) -> None:
    example.token_hash = None
    example.token_expires_at = None


def example_of(session: Session, token: str) -> Example:
    """The example whose open link this is; InvalidInput (Dutch) when none, used or expired."""
    token = (token or "").strip()
    found = session.exec(select(Example).where(Example.token_hash == token_hash(token))).first() \
        if 20 <= len(token) <= 100 else None
    if found is None:
        raise InvalidInput(_l("Deze link is ongeldig of al gebruikt. Gebruik de hele link uit de "
                              "e-mail."))
    if found.token_expires_at is None or found.token_expires_at <= utcnow():
        raise InvalidInput(_l("Deze link is verlopen."))
    return found


def absolute(path: str) -> str:
    return f"{current_app.config['SETTINGS'].base_url}{path}"


def url(path: str, token: str) -> str:
    return f"{absolute(path)}?t={token}"
