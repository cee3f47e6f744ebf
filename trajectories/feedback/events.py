"""What the feedback services announce: a coordinator's changes to an edition's evaluation.

Answers announce nothing: an audit entry per answer, with its time and actor, is exactly what
anonymous answers must not leave behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from trajectories.core.events import Event


@dataclass(frozen=True)
class EvaluationQuestionAdded(Event):
    edition_id: int
    question_id: int


@dataclass(frozen=True)
class EvaluationQuestionRemoved(Event):
    edition_id: int
    question_id: int
    #: Its text, for the audit log to name what is gone.
    text: str = ""
