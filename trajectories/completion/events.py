"""What completion's services announce (the coordinators' logbook reads them)."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


@dataclass(frozen=True)
class CompletionRulesSaved(Event):
    edition_id: int
    minimum: int
    unit: str
    deadlines_required: bool


@dataclass(frozen=True)
class CompletionApplied(Event):
    """The rules were applied to an edition: who completed, who did not (overrides kept)."""

    edition_id: int
    completed: tuple[int, ...]  #: participant ids
    not_completed: tuple[int, ...]


@dataclass(frozen=True)
class CompletionOverridden(Event):
    edition_id: int
    enrollment_id: int
    participant_id: int
    completed: bool
    reason: str


@dataclass(frozen=True)
class CertificateRevoked(Event):
    edition_id: int
    certificate_id: int
    participant_id: int
    reason: str


@dataclass(frozen=True)
class CheckedIn(Event):
    """A participant checked themselves in at a session by its QR link."""

    meeting_id: int
    edition_id: int
    participant_id: int
