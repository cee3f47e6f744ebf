"""What the reach feature's services announce."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


@dataclass(frozen=True)
class MunicipalitiesImported(Event):
    """The reference list of municipalities was updated from a file."""

    rows: int
    #: "new code<old code" for every municipality merged into another by this import.
    merged: tuple[str, ...] = ()
