"""The completion pages in real headless Chromium: axe-core finds no WCAG 2.1 A/AA violations
on the coordinator's completion page and check-in screen, the participant's check-in page and
the public verification page (confirmed and denied); each fits a 320px screen (`page`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlmodel import select

from tests.completion.clock import move_clock
from tests.completion.world import attend, build
from tests.coordinator_helpers import PASSWORD
from trajectories.accounts import services as accounts
from trajectories.completion import services as completion
from trajectories.completion.checkin import checkin_token
from trajectories.completion.models import Certificate
from trajectories.core import clock
from trajectories.people.models import Enrollment

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
DURING = datetime(2030, 4, 13, 13, 20, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def moved_clock():
    yield move_clock
    clock.configure_clock({})


def test_completion_pages_have_no_accessibility_violations(app, live_server, page, session,
                                                           moved_clock):
    world = build(session)
    accounts.create_coordinator(session, email="coordinator@vng.example", name="Coördinator",
                                password=PASSWORD, organiser=world.organiser)
    attend(session, world, world.meetings[0], world.anna, world.bert)
    enrollment = session.exec(select(Enrollment).where(
        Enrollment.participant_id == world.anna.id)).one()
    with app.test_request_context():
        completion.override(session, enrollment, app.config["SETTINGS"], completed=True,
                            reason="Alles gedaan")
    code = session.exec(select(Certificate.code)).one()
    session.commit()
    moved_clock(DURING)
    axe, results = Axe(), {}
    meeting = world.meetings[0]
    for path in (f"/bewijs/{code}", "/bewijs/verzonnen-code",
                 f"/inchecken/{meeting.id}?t={checkin_token(app.config['SECRET_KEY'], meeting.id, DURING)}"):
        page.goto(live_server + path)
        results[path] = axe.run(page, options=AXE_OPTIONS)
    page.goto(live_server + "/beheer/")
    page.get_by_label("E-mailadres").fill("coordinator@vng.example")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Overzicht").wait_for()
    for path in (f"/beheer/edities/{world.edition.id}/afronding",
                 f"/beheer/sessies/{meeting.id}/inchecken"):
        page.goto(live_server + path)
        results[path] = axe.run(page, options=AXE_OPTIONS)
    # The rules form with an error beside its field.
    page.goto(live_server + f"/beheer/edities/{world.edition.id}/afronding")
    page.get_by_label("Minimaal bijgewoond").fill("150")
    page.get_by_role("button", name="Regels opslaan").click()
    page.get_by_text("Een percentage is hoogstens 100.").wait_for()
    results["rules form errors"] = axe.run(page, options=AXE_OPTIONS)
    failures = {name: r.generate_report() for name, r in results.items() if r.violations_count}
    assert failures == {}
