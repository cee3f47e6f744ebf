"""The coordinator's completion page (rules, override, revoke), the participant's certificate
PDF in their language, the sign-in list PDF; PDFs read back with pypdf."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlmodel import select

from tests import factories
from tests.auth import signed_in_participant
from tests.completion.world import attend, build
from tests.coordinator_helpers import PASSWORD, Browser
from trajectories.accounts import services as accounts
from trajectories.completion.models import Certificate, CompletionRules
from trajectories.mail.models import OutboxMessage
from trajectories.people.models import Enrollment


@pytest.fixture
def world(session):
    world = build(session)
    accounts.create_coordinator(session, email="coordinator@vng.example", name="Coördinator",
                                password=PASSWORD, organiser=world.organiser)
    other = factories.organiser(session, slug="vvsg", name="VVSG", country="BE")
    accounts.create_coordinator(session, email="be@example.org", name="Coördinator BE",
                                password=PASSWORD, organiser=other)
    return world


@pytest.fixture
def coordinator(client, session, world):
    return Browser(client, session).sign_in("coordinator@vng.example")


def _enrollment(session, world, person) -> Enrollment:
    row = session.exec(select(Enrollment).where(
        Enrollment.participant_id == person.id, Enrollment.edition_id == world.edition.id)
        .execution_options(populate_existing=True)).one()
    session.commit()
    return row


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(data)).pages)


def test_the_rules_form_saves_and_refuses_bad_input(coordinator, session, world):
    url = f"/beheer/edities/{world.edition.id}/afronding"
    page = coordinator.get(url)
    assert page.status_code == 200 and "Afrondingsregels" in page.get_data(as_text=True)
    for bad, message in (({"minimum": "150", "unit": "percent"}, "Een percentage is hoogstens 100."),
                         ({"minimum": "twee", "unit": "sessions"}, "Ongeldig getal."),
                         ({"minimum": "-1", "unit": "sessions"}, "Vul een heel getal in, 0 of meer."),
                         ({"minimum": "2", "unit": "weken"}, "Ongeldige keuze.")):
        answer = coordinator.post(url, bad)
        assert answer.status_code == 400, bad
        assert message in answer.get_data(as_text=True)
        assert session.get(CompletionRules, world.edition.id) is None
        session.rollback()
    answer = coordinator.post(url, {"minimum": "2", "unit": "sessions", "deadlines_required": "y"})
    assert answer.status_code == 302
    rules = session.get(CompletionRules, world.edition.id)
    assert (rules.minimum, rules.unit, rules.deadlines_required) == (2, "sessions", True)


def test_override_needs_a_reason_and_then_issues_the_certificate(coordinator, session, world):
    enrollment = _enrollment(session, world, world.carl)
    url = f"/beheer/inschrijvingen/{enrollment.id}/afronding"
    answer = coordinator.post(url, {"completed": "1", "reason": ""})
    assert answer.status_code == 400
    assert _enrollment(session, world, world.carl).status == "admitted"
    answer = coordinator.post(url, {"completed": "1", "reason": "Ziek, werk ingehaald"},
                              follow_redirects=True)
    assert "Het besluit is opgeslagen." in answer.get_data(as_text=True)
    assert _enrollment(session, world, world.carl).status == "completed"
    page = coordinator.get(f"/beheer/edities/{world.edition.id}/afronding").get_data(as_text=True)
    assert "Door coördinator: Ziek, werk ingehaald" in page
    [mail] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "certificate")).all()
    assert mail.to == "carl@assen.example"
    session.commit()


def test_another_organisers_coordinator_sees_nothing(client, session, world):
    other = Browser(client, session).sign_in("be@example.org")
    enrollment = _enrollment(session, world, world.anna)
    assert other.get(f"/beheer/edities/{world.edition.id}/afronding").status_code == 404
    assert other.post(f"/beheer/inschrijvingen/{enrollment.id}/afronding",
                      {"completed": "1", "reason": "x"}).status_code == 404
    assert _enrollment(session, world, world.anna).status == "admitted"


def test_certificates_in_each_language_only_for_their_holder(app, coordinator, session, world):
    for person in (world.anna, world.bert):
        enrollment = _enrollment(session, world, person)
        coordinator.post(f"/beheer/inschrijvingen/{enrollment.id}/afronding",
                         {"completed": "1", "reason": "Alles gedaan"})
    attend(session, world, world.meetings[0], world.anna)
    anna_certificate, bert_certificate = (session.exec(select(Certificate).where(
        Certificate.participant_id == p.id)).one() for p in (world.anna, world.bert))
    session.commit()

    mine = app.test_client()  # the participant's browser; `client` is the coordinator's
    signed_in_participant(mine, world.anna)
    home = mine.get("/mijn/").get_data(as_text=True)
    assert f"/mijn/bewijs/{anna_certificate.id}.pdf" in home
    answer = mine.get(f"/mijn/bewijs/{anna_certificate.id}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = _pdf_text(answer.data)
    for words in ("Deelnamebewijs", "Anna de Vries", "van Noordenveld", "Gemeenten4GlobalGoals",
                  "editie 2030", "13 april 2030 – 13 juni 2030", "1 van de 3 sessies",
                  "Vereniging van Nederlandse Gemeenten", f"/bewijs/{anna_certificate.code}"):
        assert words in text, words
    # Someone else's certificate is not there for her.
    assert mine.get(f"/mijn/bewijs/{bert_certificate.id}.pdf").status_code == 404

    signed_in_participant(mine, world.bert)
    text = _pdf_text(mine.get(f"/mijn/bewijs/{bert_certificate.id}.pdf").data)
    assert "Certificate of participation" in text and "Bert Jansen" in text
    assert "0 of the 3 sessions" in text and "13 April 2030 – 13 June 2030" in text

    # Revoked: the verification page denies it, the download is gone.
    assert mine.get(f"/bewijs/{bert_certificate.code}").status_code == 200
    answer = coordinator.post(f"/beheer/bewijzen/{bert_certificate.id}/intrekken",
                              {"reason": "Uitgereikt aan de verkeerde persoon"})
    assert answer.status_code == 302
    assert mine.get(f"/bewijs/{bert_certificate.code}").status_code == 404
    assert mine.get(f"/mijn/bewijs/{bert_certificate.id}.pdf").status_code == 404


def test_the_sign_in_list_groups_names_by_municipality(coordinator, session, world):
    answer = coordinator.get(f"/beheer/sessies/{world.meetings[0].id}/presentielijst.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = _pdf_text(answer.data)
    assert "Presentielijst" in text and "Handtekening" in text
    assert "zaterdag 13 april 2030, 13:30–15:30" in text and "Stadhuis Utrecht" in text
    # Assen before Noordenveld, each with its people.
    assert text.index("Assen") < text.index("Bert Jansen") < text.index("Noordenveld") \
        < text.index("Anna de Vries")
    assert "Carl Smit" in text


def test_attendance_per_session_and_per_participant_with_a_chart(coordinator, session, world):
    first, second, _third = world.meetings
    attend(session, world, first, world.anna, world.bert, world.carl)
    attend(session, world, second, world.anna)
    page = coordinator.get(f"/beheer/edities/{world.edition.id}/afronding").get_data(as_text=True)
    assert '<svg class="attendance-chart" role="img"' in page
    assert "<title>Sessie 1: 3 aanwezig</title>" in page
    assert "<title>Sessie 2: 1 aanwezig</title>" in page
    assert "<title>Sessie 3: 0 aanwezig</title>" in page
    assert "3 van 3" in page and "1 van 3" in page
    rows = re.findall(r"<tr>\s*<td>([^<]+)<br><small>[^<]*</small></td>\s*<td>(\d+) / 3</td>", page)
    assert rows == [("Anna de Vries", "2"), ("Bert Jansen", "1"), ("Carl Smit", "1")]
    logbook = coordinator.get("/beheer/logboek").get_data(as_text=True)
    assert "Aanwezigheid vastgelegd" in logbook


def test_the_logbook_tells_what_completion_did(coordinator, session, world):
    enrollment = _enrollment(session, world, world.bert)
    coordinator.post(f"/beheer/inschrijvingen/{enrollment.id}/afronding",
                     {"completed": "0", "reason": "Te vaak afwezig"})
    logbook = coordinator.get("/beheer/logboek").get_data(as_text=True)
    assert "Coördinator besliste over de afronding van" in logbook and "Bert Jansen" in logbook


def test_the_mail_schedule_shows_when_completion_is_decided(coordinator, world):
    page = coordinator.get(f"/beheer/edities/{world.edition.id}/berichtenplanning")
    assert "Afronding: regels toepassen, deelnamebewijzen mailen" in page.get_data(as_text=True)
    programme = coordinator.get(f"/beheer/edities/{world.edition.id}").get_data(as_text=True)
    assert f"/beheer/sessies/{world.meetings[0].id}/presentielijst.pdf" in programme
    assert f"/beheer/sessies/{world.meetings[0].id}/inchecken" in programme


def test_an_online_session_has_no_sign_in_list(coordinator, session, world):
    online = factories.meeting(session, world.edition, title="Webinar", mode="online")
    session.commit()
    assert coordinator.get(f"/beheer/sessies/{online.id}/presentielijst.pdf").status_code == 404
    assert coordinator.get("/beheer/sessies/999999/presentielijst.pdf").status_code == 404
