"""What every service shares: one transaction per call, and input checks with Dutch messages."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from trajectories.core.clock import zone
from trajectories.core.errors import InvalidInput

T = TypeVar("T")

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def service(fn: Callable[..., T]) -> Callable[..., T]:
    """Run `fn(session, ...)` as one transaction: commit on success, roll back on any error.

    A database constraint that still trips (a race the checks could not see) becomes
    `InvalidInput` as well, so callers handle one error type.
    """

    @functools.wraps(fn)
    def wrapper(session: Session, *args, **kwargs):
        try:
            result = fn(session, *args, **kwargs)
            session.commit()
            return result
        except IntegrityError as exc:
            session.rollback()
            raise InvalidInput(_l("Dit botst met gegevens die al bestaan.")) from exc
        except BaseException:
            session.rollback()
            raise

    return wrapper


def lock(session: Session, model, row_id: int):
    """Re-read a row with a write lock (PostgreSQL FOR UPDATE; SQLite's transactions are
    already serialised by BEGIN IMMEDIATE)."""
    return session.exec(select(model).where(model.id == row_id).with_for_update()).one()


def text(value: str | None, field: str, label: str, *, required: bool = True,
         max_length: int = 300, multiline: bool = False) -> str:
    """A stripped line (or block) of text without control characters."""
    value = unicodedata.normalize("NFC", (value or "")).strip()
    if required and not value:
        raise InvalidInput(_l("%(label)s is verplicht.", label=label), field)
    if len(value) > max_length:
        raise InvalidInput(
            _l("%(label)s is te lang (hoogstens %(n)s tekens).", label=label, n=max_length), field)
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value.replace("\r\n", "\n")):
        raise InvalidInput(_l("%(label)s bevat ongeldige tekens.", label=label), field)
    return value.replace("\r\n", "\n")


def email(value: str | None, field: str = "email", *, required: bool = True) -> str:
    value = (value or "").strip().lower()
    if not value and not required:
        return ""
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise InvalidInput(_l("Vul een geldig e-mailadres in, zoals naam@gemeente.nl."), field)
    return value


def slug(value: str | None, field: str = "slug") -> str:
    value = (value or "").strip().lower()
    if not SLUG_RE.match(value) or len(value) > 80:
        raise InvalidInput(
            _l("Gebruik voor de korte naam alleen kleine letters, cijfers en streepjes."), field)
    return value


def url(value: str | None, field: str, label: str) -> str:
    value = (value or "").strip()
    if value and not re.match(r"^https?://[^\s]+$", value):
        raise InvalidInput(_l("%(label)s moet een webadres zijn dat begint met https://.",
                              label=label), field)
    if len(value) > 500:
        raise InvalidInput(_l("%(label)s is te lang.", label=label), field)
    return value


def timezone_name(value: str | None, field: str = "timezone") -> str:
    value = (value or "").strip()
    try:
        zone(value)
    except ValueError:
        raise InvalidInput(_l("Onbekende tijdzone: %(zone)s.", zone=value or "-"), field) from None
    return value


def whole_number(value, field: str, message: str) -> int | None:
    """An optional whole number from a form: None when empty; `message` when it is not one."""
    if value in ("", None):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(message, field) from None


def assign(row, fields: dict) -> bool:
    """Set `fields` on `row`; whether any value changed."""
    changed = any(getattr(row, key) != value for key, value in fields.items())
    for key, value in fields.items():
        setattr(row, key, value)
    return changed


def choice(value, allowed, field: str, label: str) -> str:
    values = [str(a) for a in allowed]
    if str(value) not in values:
        raise InvalidInput(_l("Kies een geldige waarde voor %(label)s.", label=label), field)
    return str(value)


def sdg_numbers(values) -> list[int]:
    try:
        numbers = sorted({int(v) for v in (values or [])})
    except (TypeError, ValueError):
        raise InvalidInput(_l("Global Goals zijn nummers van 1 tot en met 17."), "sdgs") from None
    if any(n < 1 or n > 17 for n in numbers):
        raise InvalidInput(_l("Global Goals zijn nummers van 1 tot en met 17."), "sdgs")
    return numbers
