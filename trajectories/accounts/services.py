"""Coordinator accounts: passwords hashed with Argon2id (memory-hard)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.accounts.models import Coordinator
from trajectories.catalogue.models import Organiser
from trajectories.core import service as base
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("Kies een wachtwoord van minstens %(n)s tekens.",
                              n=MIN_PASSWORD_LENGTH), "password")
    return _hasher.hash(password)


@service
def create_coordinator(session: Session, *, email: str, name: str, password: str,
                       organiser: Organiser | None = None, is_admin: bool = False) -> Coordinator:
    if organiser is None and not is_admin:
        raise InvalidInput(_l("Een coördinator hoort bij een organisator."), "organiser")
    email = base.email(email)
    if session.exec(select(Coordinator).where(Coordinator.email == email)).first():
        raise InvalidInput(_l("Er is al een account met dit e-mailadres."), "email")
    coordinator = Coordinator(
        email=email, name=base.text(name, "name", _l("Naam"), max_length=200),
        password_hash=hash_password(password),
        organiser_id=organiser.id if organiser else None, is_admin=is_admin)
    session.add(coordinator)
    session.flush()
    return coordinator


@service
def set_password(session: Session, coordinator: Coordinator, password: str) -> None:
    coordinator.password_hash = hash_password(password)
    session.add(coordinator)


def authenticate(session: Session, email: str, password: str) -> Coordinator | None:
    """The coordinator with this email and password, or None (same answer for either wrong)."""
    coordinator = session.exec(select(Coordinator).where(
        Coordinator.email == (email or "").strip().lower())).first()
    if coordinator is None:
        # Spend the same time as a real check, so timing does not reveal which emails exist.
        _hasher.hash(password or "x")
        return None
    try:
        _hasher.verify(coordinator.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    return coordinator
