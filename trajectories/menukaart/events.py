"""What the Menukaart's services announce (recorded in the audit log)."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


@dataclass(frozen=True)
class ExampleSaved(Event):
    """A coordinator created or changed an example."""

    example_id: int


@dataclass(frozen=True)
class ExampleStatusChanged(Event):
    """An example moved to another status (published, rejected, proposed, ...)."""

    example_id: int
    status: str
