"""In real headless Chromium: a participant follows the links of the coaching mail twice and
adds a comment (one answer stays: the last), the pages pass axe-core's WCAG 2.1 A/AA checks,
and the coordinator's feedback page shows the answer without any participant's name."""

from __future__ import annotations

import pytest

from tests.coordinator_helpers import PASSWORD
from tests.feedback.helpers import answers
from trajectories.feedback import services as feedback
from trajectories.feedback import tokens

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


def _link(live_server, person, meeting, score) -> str:
    token = tokens.make_token("test-secret-key", tokens.SESSION, person.id, meeting.id)
    return f"{live_server}/feedback/sessie/{meeting.id}/{token}/{score}"


@pytest.mark.browser
def test_answering_twice_keeps_one_answer_and_the_coordinator_sees_no_names(
        app, live_server, page, session, coordinator_world):
    from axe_playwright_python.sync_playwright import Axe

    w = coordinator_world
    anna = w.participants[0]
    session.commit()
    axe = Axe()
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))

    page.goto(_link(live_server, anna, w.meeting_nl, 2))
    page.get_by_text("Je gaf deze sessie een 2 van 5.").wait_for()
    # Second thoughts: the "5" link in the same mail.
    page.goto(_link(live_server, anna, w.meeting_nl, 5))
    page.get_by_text("Je gaf deze sessie een 5 van 5.").wait_for()
    assert page.get_by_label("5", exact=True).is_checked()
    page.get_by_label("Opmerking (niet verplicht)").fill("Sterke voorbeelden uit de praktijk")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Dank je wel! Je antwoord is opgeslagen.").wait_for()
    results = {"answer": axe.run(page, options=AXE_OPTIONS)}
    assert answers(session, w.meeting_nl.id) == [(5, "Sterke voorbeelden uit de praktijk")]

    # A link that is not this session's: refused, in Dutch.
    page.goto(_link(live_server, anna, w.meeting_be, 3).replace(
        f"/sessie/{w.meeting_be.id}/", f"/sessie/{w.meeting_nl.id}/"))
    page.get_by_text("Deze link hoort bij een andere sessie of editie.").wait_for()
    assert answers(session, w.meeting_nl.id) == [(5, "Sterke voorbeelden uit de praktijk")]

    # Results show from three answers (fewer would tell who gave them): two colleagues answer.
    for person, score in zip(w.participants[1:3], (4, 3), strict=True):
        feedback.answer_session(session, "test-secret-key", w.meeting_nl.id,
                                tokens.make_token("test-secret-key", tokens.SESSION, person.id,
                                                  w.meeting_nl.id), score, "")
    session.commit()
    page.goto(f"{live_server}/beheer/inloggen")
    page.get_by_label("E-mailadres").fill("nl@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="Overzicht").wait_for()
    page.goto(f"{live_server}/beheer/edities/{w.edition_nl.id}")
    page.get_by_role("link", name="Feedback").click()
    page.get_by_text("3 antwoorden, gemiddeld 4,0 van 5.").wait_for()
    chart = page.get_by_role("img", name="Hoe nuttig was \"Kennismaking\"?", exact=False)
    assert "5: 1" in chart.get_attribute("aria-label")
    assert page.get_by_text("Sterke voorbeelden uit de praktijk").is_visible()
    html = page.content()
    for person in w.participants:
        assert person.name not in html and person.email not in html
    results["results"] = axe.run(page, options=AXE_OPTIONS)

    # The evaluation page: answered, then shown again with the answers kept.
    evaluation = tokens.evaluation_url(app.config["SETTINGS"], anna, w.edition_nl.id)
    page.goto(evaluation.replace(app.config["SETTINGS"].base_url, live_server))
    page.get_by_label("4").check()
    page.get_by_label("Ja").check()
    page.get_by_label("Wat kan beter? (niet verplicht)").fill("Meer oefeningen")
    page.get_by_role("button", name="Versturen").click()
    page.get_by_text("Dank je wel! Je antwoorden zijn opgeslagen.").wait_for()
    assert page.get_by_label("4").is_checked() and page.get_by_label("Ja").is_checked()
    results["evaluation"] = axe.run(page, options=AXE_OPTIONS)
    failures = {name: r.generate_report() for name, r in results.items() if r.violations_count}
    assert failures == {}
    # The refused link answers 400 on purpose; nothing else may fail (CSP included).
    assert [p for p in problems if "status of 400" not in p] == []
