"""In real headless Chromium: a participant scans the session's QR link on their phone, signs in
by the mailed link (a real SMTP server), confirms with one button and is marked present; the
same link is refused before the session and after it. The app runs on a moved clock."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.completion.clock import move_clock
from tests.completion.world import build
from tests.coordinator_helpers import PASSWORD, Browser
from tests.public_world import LINK_RE, deliver, text_of
from trajectories.accounts import services as accounts
from trajectories.core import clock
from trajectories.people.models import Attendance

pytestmark = pytest.mark.browser

AMS = ZoneInfo("Europe/Amsterdam")
BEFORE = datetime(2030, 4, 13, 13, 0, tzinfo=AMS)
DURING = datetime(2030, 4, 13, 13, 20, tzinfo=AMS)
AFTER = datetime(2030, 4, 13, 15, 40, tzinfo=AMS)


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def moved_clock():
    yield move_clock
    clock.configure_clock({})


def _screen_link(coordinator, meeting) -> str:
    """The link of the QR code on the coordinator's check-in screen, as a path."""
    page = coordinator.get(f"/beheer/sessies/{meeting.id}/inchecken").get_data(as_text=True)
    assert "<svg" in page
    [path] = re.findall(r'href="https?://[^/"]+(/inchecken/[^"]+)"', page)
    return path.replace("&amp;", "&")


def test_check_in_by_the_qr_link_only_during_the_session(app, client, session, live_server,
                                                         page, smtp_sink, moved_clock):
    world = build(session)
    accounts.create_coordinator(session, email="coordinator@vng.example", name="Coördinator",
                                password=PASSWORD, organiser=world.organiser)
    coordinator = Browser(client, session).sign_in("coordinator@vng.example")
    meeting = world.meetings[0]

    moved_clock(DURING)
    link = live_server + _screen_link(coordinator, meeting)

    moved_clock(BEFORE)  # the same link, opened too early
    page.goto(link)
    expect(page.get_by_role("heading", name="Inchecken lukt niet")).to_be_visible()
    expect(page.get_by_text("kan pas vanaf 13:15")).to_be_visible()

    moved_clock(DURING)
    page.goto(link)
    # Not signed in: a link by mail signs in and checks in, with no second scan.
    page.get_by_label("E-mailadres").fill("anna@noordenveld.example")
    page.get_by_role("button", name="Stuur me een check-in-link").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    deliver(app)
    [mail] = smtp_sink.wait_for(1)
    page.goto(live_server + re.sub(r"^https?://[^/]+", "", LINK_RE.search(text_of(mail))[0]))
    page.get_by_role("button", name="Ik ben er", exact=True).click()
    expect(page.get_by_role("heading", name="Je bent ingecheckt")).to_be_visible()
    page.goto(live_server + _screen_link(coordinator, meeting))  # scanned again: signed in now
    expect(page.get_by_role("button", name="Ik ben er: Anna de Vries")).to_be_visible()
    present = session.exec(select(Attendance.participant_id).where(
        Attendance.meeting_id == meeting.id, Attendance.present)).all()
    session.commit()
    assert present == [world.anna.id]

    moved_clock(AFTER)  # the session is over: the link no longer works
    page.goto(link)
    expect(page.get_by_role("heading", name="Inchecken lukt niet")).to_be_visible()
    expect(page.get_by_text("Deze sessie is voorbij: inchecken kan niet meer.")).to_be_visible()
    expect(page.get_by_role("button", name="Ik ben er: Anna de Vries")).to_have_count(0)
