"""Reads of feedback for the pages: results per session and per edition, always as counts,
averages, distributions and comments, never who (no query here selects a respondent or joins a
participant). Below MIN_ANSWERS answers a result is withheld (only how many answered is told):
with one or two answers, who attended would tell who gave them. And, for the reminder and the
answer pages, a participant's own answer, found
through the keyed hash of their own link.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, select

from trajectories.feedback import tokens
from trajectories.feedback.models import (
    SCORES,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    QuestionKind,
    SessionFeedback,
)
from trajectories.schedule.models import Meeting, MeetingStatus

#: A session's or an evaluation's results are shown from this many answers on.
MIN_ANSWERS = 3


@dataclass
class Scores:
    """Answers on a 1–5 scale: how many gave each score."""

    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCORES, 0))

    def add(self, score: int) -> None:
        self.counts[score] = self.counts.get(score, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        total = self.total
        return sum(s * n for s, n in self.counts.items()) / total if total else None


@dataclass
class SessionResult:
    meeting: Meeting
    scores: Scores
    #: The comments, ordered by score and text (not by when: order would hint at who).
    comments: list[str]
    #: How many answers are held back (fewer than MIN_ANSWERS); 0 when the results are shown.
    withheld: int = 0


def session_results(session: Session, edition_id: int) -> list[SessionResult]:
    """Every session of the edition (in date order) with its scores and comments."""
    meetings = list(session.exec(select(Meeting).where(Meeting.edition_id == edition_id)
                                 .order_by(Meeting.on_date, Meeting.starts_at, Meeting.id)))
    results = {m.id: SessionResult(m, Scores(), []) for m in meetings}
    rows = session.exec(select(SessionFeedback.meeting_id, SessionFeedback.score,
                               SessionFeedback.comment)
                        .join(Meeting, Meeting.id == SessionFeedback.meeting_id)
                        .where(Meeting.edition_id == edition_id)
                        .order_by(SessionFeedback.score, SessionFeedback.comment))
    for meeting_id, score, comment in rows:
        results[meeting_id].scores.add(score)
        if comment:
            results[meeting_id].comments.append(comment)
    # A cancelled session is left out, unless someone answered before it was cancelled.
    return [_withhold_few(r) for r in results.values()
            if r.meeting.status != MeetingStatus.CANCELLED or r.scores.total]


def _withhold_few(result: SessionResult) -> SessionResult:
    total = result.scores.total
    if 0 < total < MIN_ANSWERS:
        return SessionResult(result.meeting, Scores(), [], withheld=total)
    return result


@dataclass
class QuestionResult:
    question: EvaluationQuestion
    scores: Scores
    texts: list[str]


@dataclass
class EvaluationResult:
    usefulness: Scores
    recommend_yes: int
    recommend_no: int
    improve: list[str]
    questions: list[QuestionResult]
    #: How many responses are held back (fewer than MIN_ANSWERS); 0 when the results are shown.
    withheld: int = 0

    @property
    def total(self) -> int:
        return self.withheld or self.usefulness.total


def questions(session: Session, edition_id: int) -> list[EvaluationQuestion]:
    return list(session.exec(select(EvaluationQuestion).where(
        EvaluationQuestion.edition_id == edition_id)
        .order_by(EvaluationQuestion.position, EvaluationQuestion.id)))


def evaluation_results(session: Session, edition_id: int) -> EvaluationResult:
    usefulness, recommend = Scores(), Counter()
    improve = []
    for score, recommended, text in session.exec(
            select(EvaluationResponse.usefulness, EvaluationResponse.recommend,
                   EvaluationResponse.improve)
            .where(EvaluationResponse.edition_id == edition_id)
            .order_by(EvaluationResponse.usefulness, EvaluationResponse.improve)):
        usefulness.add(score)
        recommend[bool(recommended)] += 1
        if text:
            improve.append(text)
    by_question = {q.id: QuestionResult(q, Scores(), []) for q in questions(session, edition_id)}
    for question_id, value in session.exec(
            select(EvaluationAnswer.question_id, EvaluationAnswer.value)
            .join(EvaluationQuestion, EvaluationQuestion.id == EvaluationAnswer.question_id)
            .where(EvaluationQuestion.edition_id == edition_id)
            .order_by(EvaluationAnswer.value)):
        result = by_question[question_id]
        if result.question.kind == QuestionKind.SCALE and value.isdigit():
            result.scores.add(int(value))
        elif value:
            result.texts.append(value)
    if 0 < usefulness.total < MIN_ANSWERS:
        return EvaluationResult(Scores(), 0, 0, [], [QuestionResult(r.question, Scores(), [])
                                                     for r in by_question.values()],
                                withheld=usefulness.total)
    return EvaluationResult(usefulness, recommend[True], recommend[False], improve,
                            list(by_question.values()))


# --- a participant's own answer, through their own link -------------------------------------------


def own_session_answer(session: Session, secret_key: str, meeting_id: int,
                       participant_id: int) -> SessionFeedback | None:
    who = tokens.respondent(secret_key, tokens.SESSION, meeting_id, participant_id)
    return session.exec(select(SessionFeedback).where(
        SessionFeedback.meeting_id == meeting_id, SessionFeedback.respondent == who)).first()


def own_evaluation(session: Session, secret_key: str, edition_id: int,
                   participant_id: int) -> tuple[EvaluationResponse | None, dict[int, str]]:
    who = tokens.respondent(secret_key, tokens.EVALUATION, edition_id, participant_id)
    row = session.exec(select(EvaluationResponse).where(
        EvaluationResponse.edition_id == edition_id, EvaluationResponse.respondent == who)).first()
    if row is None:
        return None, {}
    return row, {a.question_id: a.value for a in session.exec(
        select(EvaluationAnswer).where(EvaluationAnswer.response_id == row.id))}


def not_evaluated(session: Session, secret_key: str, edition_id: int,
                  participant_ids) -> list[int]:
    """Those of `participant_ids` who have not answered the edition's evaluation (for its one
    reminder): each id's keyed hash looked up among the edition's respondents."""
    answered = set(session.exec(select(EvaluationResponse.respondent).where(
        EvaluationResponse.edition_id == edition_id)))
    return [pid for pid in participant_ids if tokens.respondent(
        secret_key, tokens.EVALUATION, edition_id, pid) not in answered]
