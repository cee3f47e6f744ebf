"""What the award's services announce (the coordinators' logbook reads them)."""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


@dataclass(frozen=True)
class AwardRoundSaved(Event):
    round_id: int
    organiser_id: int


@dataclass(frozen=True)
class NominationSubmitted(Event):
    """A municipality submitted its nomination (its hand-in for the round's deadline)."""

    round_id: int
    edition_id: int
    nomination_id: int
    organisation_id: int


@dataclass(frozen=True)
class AwardJudged(Event):
    """The shortlist, the winner, a juror's scores or what is public changed."""

    round_id: int
    organiser_id: int
    what: str
