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
from trajectories.mail.models import OutboxMessage
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
        assert "Stuur me een check-in-link" in page
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


def _mailed_links(session) -> list[tuple[str, str]]:
    rows = session.exec(select(OutboxMessage.to, OutboxMessage.text).where(
        OutboxMessage.kind == "public_checkin")).all()
    session.commit()
    return [(to, re.search(r"http\S+/inchecken/\S+", text).group(0)) for to, text in rows]


def _ask_by_mail(app, client, meeting, email, at):
    link = _link(app, meeting, at)
    return submit(client, link, {"t": link.split("t=")[1], "email": email},
                  action=f"/inchecken/{meeting.id}/per-mail")


def test_not_signed_in_a_mailed_link_checks_me_in_without_scanning_again(app, client, session,
                                                                         world):
    meeting = world.meetings[0]
    with clock_at(DURING):
        answer = _ask_by_mail(app, client, meeting, "Anna@Noordenveld.example", DURING)
        assert "Kijk in je mailbox" in answer.get_data(as_text=True)
        [(to, link)] = _mailed_links(session)
        assert to == "anna@noordenveld.example"
        path = link[link.index("/inchecken"):]
        assert _present(session, meeting) == set()  # opening the mail's link changes nothing
        done = submit(client, path, {"t": path.split("t=")[1]}, follow_redirects=True)
        assert "Je bent ingecheckt" in done.get_data(as_text=True)
        assert _present(session, meeting) == {world.anna.id}
        assert "Anna de Vries" in client.get("/mijn/").get_data(as_text=True)  # signed in too
        again = submit(client, path, {"t": path.split("t=")[1]})
        assert again.status_code == 400  # a mailed link works once


def test_a_mailed_link_only_for_its_session_while_it_runs_and_only_for_takers_part(
        app, client, session, world):
    first, second = world.meetings[:2]
    factories.participant(session, name="Eva Buiten", email="eva@elders.example")
    session.commit()
    with clock_at(DURING):
        # Not taking part, or unknown: the same answer, and no mail.
        for email in ("eva@elders.example", "nobody@example.org"):
            answer = _ask_by_mail(app, client, first, email, DURING)
            assert "Kijk in je mailbox" in answer.get_data(as_text=True)
        assert _mailed_links(session) == []
        # A stale QR token cannot ask for a link.
        stale = checkin_token(app.config["SECRET_KEY"], first.id,
                              datetime(2030, 4, 13, 13, 5, tzinfo=AMS))
        refused = submit(client, _link(app, first, DURING), {"t": stale, "email":
                         "anna@noordenveld.example"}, action=f"/inchecken/{first.id}/per-mail")
        assert refused.status_code == 409 and _mailed_links(session) == []
        _ask_by_mail(app, client, first, "anna@noordenveld.example", DURING)
        [(_to, link)] = _mailed_links(session)
        token = link.split("t=")[1]
        # Anna's link of the first session does not check her in at the second.
        other = submit(client, f"/inchecken/{second.id}/link?t={token}", {"t": token})
        assert other.status_code == 400
    with clock_at(AFTER):
        late = submit(client, f"/inchecken/{first.id}/link?t={token}", {"t": token})
        assert late.status_code == 400
        assert "voorbij" in late.get_data(as_text=True)
    assert _present(session, first) == set() and _present(session, second) == set()
