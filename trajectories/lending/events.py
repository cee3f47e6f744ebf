"""What the lending services announce (the audit log: mails and reminders are queued and
planned in the same transaction)."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


@dataclass(frozen=True)
class LendableObjectSaved(Event):
    """An object was created or edited (name, description, availability)."""

    object_id: int
    #: Whose logbook shows it.
    organiser_id: int


@dataclass(frozen=True)
class LoanRequested(Event):
    """A municipality confirmed its request for a period (it joins the object's queue)."""

    loan_id: int
    object_id: int
    organiser_id: int


@dataclass(frozen=True)
class LoanDecided(Event):
    """A coordinator approved, proposed another period, declined or cancelled; or the
    municipality accepted the proposed period. `status` is the loan's new status."""

    loan_id: int
    object_id: int
    organiser_id: int
    status: str
