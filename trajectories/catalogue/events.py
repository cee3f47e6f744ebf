"""What the catalogue's services announce: a track or edition saved, published or deleted."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


# --- catalogue ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrackSaved(Event):
    track_id: int
    organiser_id: int


@dataclass(frozen=True)
class EditionSaved(Event):
    edition_id: int
    track_id: int


@dataclass(frozen=True)
class EditionPublished(Event):
    """A draft edition became public: feeds, catalogue, registration and mails take it up."""

    edition_id: int
    track_id: int

