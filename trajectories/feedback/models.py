"""Tables of feedback: one answer per participant per session, an edition's own evaluation
questions, one evaluation answer set per participant.

No table here holds a participant id: `respondent` is an HMAC of the participant id and the
subject (session or edition) under a key derived from the app's secret, so the same person's
answers to two sessions cannot be linked, and no SQL join leads from an answer to a name. It only
lets the same person change their own answer (the unique constraints).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Labelled, check_in

#: The scores of "Hoe nuttig was ...?".
SCORES = (1, 2, 3, 4, 5)
#: Longest comment or open answer.
MAX_TEXT = 2000


class SessionFeedback(SQLModel, table=True):
    """One participant's answer to "Hoe nuttig was deze sessie?"."""

    __tablename__ = "session_feedback"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    #: HMAC-SHA256 (hex) of the session and the participant (`tokens.respondent`).
    respondent: str = Field(max_length=64)
    #: 1 (not useful) to 5 (very useful).
    score: int
    #: The optional comment from the page the link opens.
    comment: str = Field(default="", max_length=MAX_TEXT)
    #: The day of the (last) answer; no time of day, which could point at a person.
    answered_on: date = Field(default_factory=lambda: utcnow().date())

    __table_args__ = (
        UniqueConstraint("meeting_id", "respondent", name="session_feedback_once"),
        CheckConstraint("score >= 1 AND score <= 5", name="session_feedback_score"),
    )


class QuestionKind(Labelled):
    SCALE = "scale", _l("schaal 1–5")
    TEXT = "text", _l("open antwoord")


class EvaluationQuestion(SQLModel, table=True):
    """A question a coordinator adds to the end-of-edition evaluation."""

    __tablename__ = "evaluation_question"

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=300)
    #: A QuestionKind value.
    kind: str = Field(default=QuestionKind.TEXT, max_length=10)
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("kind", QuestionKind), name="evaluation_question_kind"),
    )


class EvaluationResponse(SQLModel, table=True):
    """One participant's answers to an edition's evaluation: the fixed questions here, the
    coordinator's own in `EvaluationAnswer`."""

    __tablename__ = "evaluation_response"

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True, ondelete="CASCADE")
    #: HMAC-SHA256 (hex) of the edition and the participant (`tokens.respondent`).
    respondent: str = Field(max_length=64)
    #: "Hoe nuttig was het leertraject als geheel?" 1–5.
    usefulness: int
    #: "Zou je het aanraden aan een collega?"
    recommend: bool
    #: "Wat kan beter?" (optional).
    improve: str = Field(default="", max_length=MAX_TEXT)
    answered_on: date = Field(default_factory=lambda: utcnow().date())

    __table_args__ = (
        UniqueConstraint("edition_id", "respondent", name="evaluation_response_once"),
        CheckConstraint("usefulness >= 1 AND usefulness <= 5", name="evaluation_usefulness"),
    )


class EvaluationAnswer(SQLModel, table=True):
    """The answer of one response to one of the coordinator's questions."""

    __tablename__ = "evaluation_answer"

    response_id: int = Field(foreign_key="evaluation_response.id", primary_key=True,
                             ondelete="CASCADE")
    question_id: int = Field(foreign_key="evaluation_question.id", primary_key=True,
                             ondelete="CASCADE", index=True)
    #: "1".."5" for a scale question, the text for an open one.
    value: str = Field(default="", max_length=MAX_TEXT)
