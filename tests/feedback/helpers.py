"""A small world for feedback tests: an edition with two sessions and three participants (two
admitted, one withdrawn), and the links their mails carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from tests import factories
from trajectories.feedback.models import EvaluationResponse, SessionFeedback
from trajectories.people import services as people


@dataclass
class Cohort:
    edition: object
    first: object
    second: object
    anna: object
    bert: object
    cees: object


def cohort(session) -> Cohort:
    edition = factories.edition(session, coordinator_email="coordinator@vng.example")
    first = factories.meeting(session, edition, title="Aftrap", on_date=date(2030, 4, 13))
    second = factories.meeting(session, edition, title="Slotbijeenkomst", on_date=date(2030, 5, 20))
    anna = factories.participant(session, name="Anna de Vries", email="anna@gemeente.example")
    bert = factories.participant(session, name="Bert Jansen", email="bert@gemeente.example",
                                 language="en")
    cees = factories.participant(session, name="Cees Withdrawn", email="cees@gemeente.example")
    for person in (anna, bert):
        people.enroll(session, edition, person)
    enrollment = people.enroll(session, edition, cees)
    people.withdraw(session, enrollment)
    session.commit()
    return Cohort(edition, first, second, anna, bert, cees)


def answers(session, meeting_id: int) -> list[tuple[int, str]]:
    rows = [(r.score, r.comment) for r in session.exec(
        select(SessionFeedback).where(SessionFeedback.meeting_id == meeting_id)
        .order_by(SessionFeedback.id).execution_options(populate_existing=True))]
    session.commit()
    return rows


def evaluations(session, edition_id: int) -> list[EvaluationResponse]:
    rows = list(session.exec(select(EvaluationResponse).where(
        EvaluationResponse.edition_id == edition_id).execution_options(populate_existing=True)))
    session.commit()
    return rows
