"""Every write of feedback: a participant's answers (through a signed link) and a
coordinator's evaluation questions.

An answer is stored under `tokens.respondent`, never the participant's id; answering again
through the same link changes the stored answer (one per participant per session, one
evaluation per participant per edition: the unique constraints).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, delete, func, select

from trajectories.catalogue.models import Edition
from trajectories.core import events
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import choice, service, text
from trajectories.feedback import tokens
from trajectories.feedback.events import EvaluationQuestionAdded, EvaluationQuestionRemoved
from trajectories.feedback.models import (
    MAX_TEXT,
    SCORES,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    QuestionKind,
    SessionFeedback,
)
from trajectories.people.models import TAKING_PART, Enrollment
from trajectories.schedule.models import Meeting, MeetingStatus

#: Most questions a coordinator can add to one evaluation.
MAX_QUESTIONS = 10


def _score(value, field: str) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value not in SCORES:
        raise InvalidInput(_l("Kies een score van 1 tot en met 5."), field)
    return value


def _taking_part(session: Session, participant_id: int, edition_id: int) -> None:
    found = session.exec(select(Enrollment.id).where(
        Enrollment.participant_id == participant_id, Enrollment.edition_id == edition_id,
        Enrollment.status.in_(TAKING_PART))).first()
    if found is None:
        raise InvalidInput(_l("Deze link hoort bij iemand die niet (meer) aan deze editie "
                              "deelneemt. Er is niets opgeslagen."))


def session_link(session: Session, secret_key: str, meeting_id: int, token: str,
                 now: datetime | None = None) -> tuple[tokens.Link, Meeting]:
    """The link's participant and session, checked: for this session, unexpired, the session
    held, the participant taking part. Reads only."""
    link = tokens.read_token(secret_key, tokens.SESSION, token, meeting_id, now)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.status == MeetingStatus.CANCELLED:
        raise InvalidInput(_l("Deze sessie bestaat niet meer of is geannuleerd."))
    _taking_part(session, link.participant_id, meeting.edition_id)
    return link, meeting


@service
def answer_session(session: Session, secret_key: str, meeting_id: int, token: str, score,
                   comment: str | None = None, now: datetime | None = None) -> SessionFeedback:
    """Record (or change) the link's participant's score for the session, and the comment when
    given (None leaves it as it is)."""
    link, meeting = session_link(session, secret_key, meeting_id, token, now)
    score = _score(score, "score")
    if comment is not None:
        comment = text(comment, "comment", _l("Opmerking"), required=False, max_length=MAX_TEXT,
                       multiline=True)
    who = tokens.respondent(secret_key, tokens.SESSION, meeting.id, link.participant_id)
    row = session.exec(select(SessionFeedback).where(
        SessionFeedback.meeting_id == meeting.id, SessionFeedback.respondent == who)
        .with_for_update()).first()
    row = row or SessionFeedback(meeting_id=meeting.id, respondent=who, score=score)
    row.score, row.answered_on = score, (now or utcnow()).date()
    if comment is not None:
        row.comment = comment
    session.add(row)
    session.flush()
    return row


def evaluation_link(session: Session, secret_key: str, edition_id: int, token: str,
                    now: datetime | None = None) -> tuple[tokens.Link, Edition]:
    link = tokens.read_token(secret_key, tokens.EVALUATION, token, edition_id, now)
    edition = session.get(Edition, edition_id)
    if edition is None:
        raise InvalidInput(_l("Deze editie bestaat niet meer."))
    _taking_part(session, link.participant_id, edition.id)
    return link, edition


@service
def answer_evaluation(session: Session, secret_key: str, edition_id: int, token: str, *,
                      usefulness, recommend, improve: str | None, answers: dict[int, str],
                      now: datetime | None = None) -> EvaluationResponse:
    """Store (or replace) the link's participant's evaluation of the edition. `recommend`:
    True, False, or None (not answered: refused). `answers`: the coordinator's questions' ids
    to the answers typed (a scale as "1".."5"; empty: not answered)."""
    link, edition = evaluation_link(session, secret_key, edition_id, token, now)
    usefulness = _score(usefulness, "usefulness")
    if recommend not in (True, False):
        raise InvalidInput(_l("Kies ja of nee."), "recommend")
    improve = text(improve, "improve", _l("Wat kan beter"), required=False, max_length=MAX_TEXT,
                   multiline=True)
    values = {}
    for question in session.exec(select(EvaluationQuestion).where(
            EvaluationQuestion.edition_id == edition.id)):
        value = (answers.get(question.id) or "").strip()
        field = f"q{question.id}"
        if value and question.kind == QuestionKind.SCALE:
            value = str(_score(value, field))
        elif value:
            value = text(value, field, question.text, required=False, max_length=MAX_TEXT,
                         multiline=True)
        if value:
            values[question.id] = value
    who = tokens.respondent(secret_key, tokens.EVALUATION, edition.id, link.participant_id)
    row = session.exec(select(EvaluationResponse).where(
        EvaluationResponse.edition_id == edition.id, EvaluationResponse.respondent == who)
        .with_for_update()).first()
    row = row or EvaluationResponse(edition_id=edition.id, respondent=who, usefulness=usefulness,
                                    recommend=recommend)
    row.usefulness, row.recommend, row.improve = usefulness, recommend, improve
    row.answered_on = (now or utcnow()).date()
    session.add(row)
    session.flush()
    session.exec(delete(EvaluationAnswer).where(EvaluationAnswer.response_id == row.id))
    for question_id, value in values.items():
        session.add(EvaluationAnswer(response_id=row.id, question_id=question_id, value=value))
    session.flush()
    return row


@service
def add_question(session: Session, edition: Edition, *, wording: str | None,
                 kind: str | None) -> EvaluationQuestion:
    """Add a coordinator's own question to the edition's evaluation."""
    wording = text(wording, "wording", _l("Vraag"))
    kind = choice(kind, [k.value for k in QuestionKind], "kind", _l("Soort antwoord"))
    count = session.exec(select(func.count()).select_from(EvaluationQuestion).where(
        EvaluationQuestion.edition_id == edition.id)).one()
    if count >= MAX_QUESTIONS:
        raise InvalidInput(_l("Een evaluatie heeft hoogstens %(n)s eigen vragen.",
                              n=MAX_QUESTIONS), "wording")
    position = session.exec(select(func.max(EvaluationQuestion.position)).where(
        EvaluationQuestion.edition_id == edition.id)).one()
    question = EvaluationQuestion(edition_id=edition.id, text=wording, kind=kind,
                                  position=(position or 0) + 1)
    session.add(question)
    session.flush()
    events.record(session, EvaluationQuestionAdded(edition_id=edition.id,
                                                   question_id=question.id))
    return question


@service
def remove_question(session: Session, question: EvaluationQuestion) -> None:
    """Remove a question, and the answers given to it."""
    events.record(session, EvaluationQuestionRemoved(edition_id=question.edition_id,
                                                     question_id=question.id,
                                                     text=question.text))
    session.exec(delete(EvaluationAnswer).where(EvaluationAnswer.question_id == question.id))
    session.delete(question)
    session.flush()
