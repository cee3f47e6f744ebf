"""Self check-in by the session's rotating QR link: only during the session (from 15 minutes
before its start to its end), only for that session, only as oneself."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tests import factories
from tests.auth import signed_in_participant
from tests.completion.clock import clock_at
from tests.completion.world import build
from tests.coordinator_helpers import PASSWORD, Browser
from tests.public_world import submit
from trajectories.accounts import services as accounts
from trajectories.completion.checkin import checkin_token
from trajectories.people.models import Attendance

AMS = ZoneInfo("Europe/Amsterdam")
#: The first session: Saturday 13 April 2030, 13:30–15:30 in Amsterdam.
DURING = datetime(2030, 4, 13, 13, 20, tzinfo=AMS)
BEFORE = datetime(2030, 4, 13, 13, 10, tzinfo=AMS)
AFTER = datetime(2030, 4, 13, 15, 31, tzinfo=AMS)


@pytest.fixture
def world(session):
    return build(session)


def _link(app, meeting, at) -> str:
    return f"/inchecken/{meeting.id}?t={checkin_token(app.config['SECRET_KEY'], meeting.id, at)}"


def _present(session, meeting) -> set[int]:
    ids = set(session.exec(select(Attendance.participant_id).where(
        Attendance.meeting_id == meeting.id, Attendance.present)))
    session.commit()
    return ids


def test_checking_in_during_the_session_marks_me_present(app, client, session, world):
    meeting = world.meetings[0]
    signed_in_participant(client, world.anna)
    with clock_at(DURING):
        link = _link(app, meeting, DURING)
        page = client.get(link).get_data(as_text=True)
        assert "Ik ben er: Anna de Vries" in page
        assert _present(session, meeting) == set()  # opening the link changes nothing
        answer = submit(client, link, {"t": link.split("t=")[1]}, follow_redirects=True)
    assert "Je bent ingecheckt" in answer.get_data(as_text=True)
    assert _present(session, meeting) == {world.anna.id}


@pytest.mark.parametrize("moment, words", [
    (BEFORE, "Inchecken voor deze sessie kan pas vanaf 13:15"),
    (AFTER, "Deze sessie is voorbij: inchecken kan niet meer."),
])
def test_before_and_after_the_session_a_clear_refusal(app, client, session, world, moment, words):
    meeting = world.meetings[0]
    signed_in_participant(client, world.anna)
    with clock_at(moment):
        link = _link(app, meeting, moment)
        page = client.get(link)
        assert page.status_code == 409 and words in page.get_data(as_text=True)
        answer = client.post(link, data={"t": link.split("t=")[1]})
        assert answer.status_code in (400, 409)
    assert _present(session, meeting) == set()


def test_a_link_works_only_for_its_own_session_and_not_for_long(app, client, session, world):
    first, second = world.meetings[:2]
    signed_in_participant(client, world.anna)
    with clock_at(DURING):
        other = checkin_token(app.config["SECRET_KEY"], second.id, DURING)
        page = client.get(f"/inchecken/{first.id}?t={other}")
        assert page.status_code == 409
        assert "hoort bij een andere sessie" in page.get_data(as_text=True)
        stale = checkin_token(app.config["SECRET_KEY"], first.id,
                              datetime(2030, 4, 13, 13, 15, tzinfo=AMS))
        assert client.get(f"/inchecken/{first.id}?t={stale}").status_code == 409
        assert client.get(f"/inchecken/{first.id}?t=made-up").status_code == 409
    assert _present(session, first) == set()


def test_nobody_checks_in_for_someone_else_or_another_edition(app, client, session, world):
    meeting = world.meetings[0]
    stranger = factories.participant(session, name="Eva Buiten", email="eva@elders.example")
    session.commit()
    with clock_at(DURING):
        link = _link(app, meeting, DURING)
        # Not signed in: asked to sign in first, nobody is marked.
        page = client.get(link).get_data(as_text=True)
        assert "Stuur me een inloglink" in page
        client.post(link, data={"t": link.split("t=")[1], "participant_id": world.bert.id})
        # Signed in as someone of another edition: refused.
        signed_in_participant(client, stranger)
        answer = submit(client, link, {"t": link.split("t=")[1]})
        assert answer.status_code == 409
        assert "Je neemt niet deel aan de editie van deze sessie" in answer.get_data(as_text=True)
        # Signed in as Anna, naming Bert: Anna is marked, never Bert.
        signed_in_participant(client, world.anna)
        submit(client, link, {"t": link.split("t=")[1], "participant_id": str(world.bert.id)})
    assert _present(session, meeting) == {world.anna.id}


def test_the_coordinator_shows_a_qr_code_of_the_current_link(app, client, session, world):
    accounts.create_coordinator(session, email="coordinator@vng.example", name="Coördinator",
                                password=PASSWORD, organiser=world.organiser)
    coordinator = Browser(client, session).sign_in("coordinator@vng.example")
    meeting = world.meetings[0]
    with clock_at(DURING):
        page = coordinator.get(f"/beheer/sessies/{meeting.id}/inchecken").get_data(as_text=True)
        assert "<svg" in page and "QR-code om in te checken" in page
        [link] = re.findall(r'href="https?://[^/"]+(/inchecken/[^"]+)"', page)
        assert link.replace("&amp;", "&") == _link(app, meeting, DURING)
    with clock_at(BEFORE):
        page = coordinator.get(f"/beheer/sessies/{meeting.id}/inchecken").get_data(as_text=True)
        assert "<svg" not in page and "kan pas vanaf 13:15" in page
