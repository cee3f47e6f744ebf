"""What the ambassadors' services announce."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


@dataclass(frozen=True)
class AmbassadorAppointed(Event):
    ambassador_id: int
    organiser_id: int
    province: str


@dataclass(frozen=True)
class AmbassadorChanged(Event):
    ambassador_id: int
    organiser_id: int
    province: str


@dataclass(frozen=True)
class AmbassadorEnded(Event):
    """The ambassador's period got an end date."""

    ambassador_id: int
    organiser_id: int
    province: str
