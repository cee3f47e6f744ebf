"""Two approved loans of one object never overlap: refused with a clear message, by the
database (PostgreSQL's exclusion constraint, SQLite's triggers), also when two coordinators
approve at the same moment and when a row is written past the services."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from tests.lending.helpers import days, requested, world
from trajectories.core.errors import InvalidInput
from trajectories.lending import services as lending
from trajectories.lending.models import Loan, LoanStatus


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_an_overlapping_approval_is_refused_with_the_message(ctx, session):
    _, capsule = world(session)
    first = requested(session, capsule, days(20), days(30))
    second = requested(session, capsule, days(30), days(40), email="b@utrecht.example",
                       municipality="GM0344")
    lending.approve(session, first)
    with pytest.raises(InvalidInput, match="overlapt met een goedgekeurde uitlening van "
                                           "Tijdscapsule"):
        lending.approve(session, second)
    session.expire_all()
    assert session.get(Loan, second.id).status == LoanStatus.REQUESTED
    assert session.get(Loan, first.id).status == LoanStatus.APPROVED


def test_back_to_back_periods_are_fine(ctx, session):
    _, capsule = world(session)
    first = requested(session, capsule, days(20), days(30))
    second = requested(session, capsule, days(31), days(40), email="b@utrecht.example")
    lending.approve(session, first)
    lending.approve(session, second)
    assert [loan.status for loan in session.exec(select(Loan).order_by(Loan.id))] == \
        [LoanStatus.APPROVED, LoanStatus.APPROVED]


def test_two_coordinators_approving_at_once_one_is_refused_by_the_database(ctx, db, session):
    """Both read their request while neither was approved (no check in code could see the
    other): the database refuses the second commit, and the service says why."""
    _, capsule = world(session)
    first_id = requested(session, capsule, days(20), days(30)).id
    second_id = requested(session, capsule, days(25), days(26), email="b@utrecht.example").id
    session.close()
    sqlite = db.engine.dialect.name == "sqlite"
    with db.session(actor="a") as one, db.session(actor="b") as two:
        mine = one.get(Loan, first_id)
        assert mine.status == LoanStatus.REQUESTED
        if sqlite:
            one.commit()  # SQLite has one writer at a time: each waits its turn
        theirs = two.get(Loan, second_id)
        assert theirs.status == LoanStatus.REQUESTED
        if sqlite:
            two.commit()
        lending.approve(one, mine)
        with pytest.raises(InvalidInput, match="overlapt"):
            lending.approve(two, theirs)
    session.expire_all()
    assert session.get(Loan, second_id).status == LoanStatus.REQUESTED


def test_a_direct_insert_past_the_services_hits_the_constraint(ctx, db, session):
    _, capsule = world(session)
    lending.approve(session, requested(session, capsule, days(20), days(30)))
    organisation_id = session.exec(select(Loan.organisation_id)).first()
    session.close()
    insert = text(
        "INSERT INTO loan (object_id, organisation_id, starts_on, ends_on, place, status, "
        "reason, requested_at, sequence, updated_at) VALUES (:o, :m, :s, :e, 'x', :status, '', "
        "CURRENT_TIMESTAMP, 0, CURRENT_TIMESTAMP)")
    values = {"o": capsule.id, "m": organisation_id, "s": days(30), "e": days(35)}
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert, {**values, "status": "approved"})
    with db.engine.begin() as conn:  # a waiting request for the same days is fine
        conn.execute(insert, {**values, "status": "requested"})
    # ... and cannot be switched to approved past the service either
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("UPDATE loan SET status = 'approved' WHERE status = 'requested'"))


def test_accepting_a_proposal_that_now_overlaps_is_refused(ctx, app, session):
    from trajectories.accounts import tokens as signin
    _, capsule = world(session)
    wanted = requested(session, capsule, days(20), days(30))
    other = requested(session, capsule, days(50), days(55), email="b@utrecht.example")
    lending.propose(session, other, {"proposed_starts_on": days(28).isoformat(),
                                     "proposed_ends_on": days(33).isoformat()})
    lending.approve(session, wanted)
    token = signin.make_token(app.config["SECRET_KEY"], signin.LOAN_PROPOSAL,
                              {"loan": other.id, "seq": other.sequence})
    with pytest.raises(InvalidInput, match="overlapt"):
        lending.accept_proposal(session, token)
    session.expire_all()
    assert session.get(Loan, other.id).status == LoanStatus.PROPOSED
