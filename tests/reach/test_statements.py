"""The reach report and the history pages cost the same number of SQL statements for a few
editions as for many (set-based queries, no statement per edition or municipality)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, insert, select

from tests.reach import world
from trajectories.catalogue.models import Edition
from trajectories.people.models import Enrollment, Organisation, Participant
from trajectories.reach import history, queries
from trajectories.schedule.models import Meeting, new_uid


@pytest.fixture
def reach(session, coordinator_world):
    return world.build(session)


@contextmanager
def counting(session):
    statements = []
    engine = session.get_bind()

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _more_editions(session, reach, n: int) -> None:
    """`n` more editions of the Global Goals track, each with a session and Utrecht's and a new
    municipality's civil servants admitted (rows in bulk: set-up only)."""
    codes = ["GM0307", "GM0308", "GM0310", "GM0312", "GM0313"]
    session.execute(insert(Organisation), [dict(name=f"Gemeente {c}", kind="municipality",
                                                country="NL", code=c, province="Utrecht")
                                           for c in codes])
    orgs = session.scalars(select(Organisation.id).where(Organisation.code.in_(codes))).all()
    for k in range(n):
        edition = Edition(track_id=reach.goals_track.id, slug=f"extra-{k}", name=f"{2010 + k}")
        session.add(edition)
        session.flush()
        session.add(Meeting(edition_id=edition.id, uid=new_uid(), title="Start",
                            on_date=date(2010 + k, 5, 1)))
        person = Participant(name=f"Extra {k}", email=f"extra{k}@example.org",
                             organisation_id=orgs[k % len(orgs)])
        session.add(person)
        session.flush()
        session.add_all([Enrollment(participant_id=person.id, edition_id=edition.id,
                                    status="admitted"),
                         Enrollment(participant_id=reach.people["anna"].id,
                                    edition_id=edition.id, status="admitted")])
    session.commit()


def test_the_report_and_histories_cost_the_same_statements_for_3_and_33_editions(session,
                                                                                  reach):
    utrecht = reach.organisations["utrecht"].id

    def run():
        with counting(session) as statements:
            queries.report(session, reach.organiser, queries.Filters())
            group = history.municipality_group(session, utrecht)
            history.municipality_history(session, group, [reach.organiser.id])
            history.participant_history(session, reach.people["anna"].id, [reach.organiser.id])
        return len(statements)

    few = run()
    _more_editions(session, reach, 30)
    many = run()
    assert queries.report(session, reach.organiser, queries.Filters()).total.took_part == 8
    assert few == many
