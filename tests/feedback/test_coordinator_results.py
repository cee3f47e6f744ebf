"""The coordinator's feedback page and export: counts, averages, distribution (a chart with the
numbers in a table) and comments per session and for the evaluation, never who; the edition's
own evaluation questions; another organiser's edition answers 404."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from tests.coordinator_helpers import Browser
from trajectories.feedback import services as feedback
from trajectories.feedback import tokens
from trajectories.feedback.models import EvaluationQuestion

SECRET = "test-secret-key"


def _token(purpose, person, subject_id):
    return tokens.make_token(SECRET, purpose, person.id, subject_id)


def _answer(session, w, people, evaluations=True):
    """`people` answer the first session; with `evaluations`, the evaluation too."""
    question = feedback.add_question(session, w.edition_nl, wording="Wat pas je al toe?",
                                     kind="text")
    scale = feedback.add_question(session, w.edition_nl, wording="Hoe was de locatie?",
                                  kind="scale")
    for person, score, comment in zip(people, (5, 2, 2), ("Heel praktisch", "", ""),
                                      strict=False):
        feedback.answer_session(session, SECRET, w.meeting_nl.id,
                                _token(tokens.SESSION, person, w.meeting_nl.id), score, comment)
        if evaluations:
            feedback.answer_evaluation(
                session, SECRET, w.edition_nl.id,
                _token(tokens.EVALUATION, person, w.edition_nl.id), usefulness=4,
                recommend=score > 2, improve="Minder slides" if score > 2 else "",
                answers={question.id: "De wijkaanpak" if score > 2 else "", scale.id: "3"})
    session.commit()
    return w


@pytest.fixture
def answered(session, coordinator_world):
    """VNG's three admitted participants answered the first session and the evaluation."""
    return _answer(session, coordinator_world, coordinator_world.participants[:3])


def test_results_show_counts_average_chart_and_comments_but_no_names(nl, answered):
    page = nl.get(f"/beheer/edities/{answered.edition_nl.id}/feedback")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "3 antwoorden, gemiddeld 3,0 van 5." in html
    assert 'role="img"' in html and "Aantal antwoorden per score: 1: 0, 2: 2, 3: 0, 4: 0, 5: 1." in html
    assert 'aria-label="Hoe nuttig was &#34;Kennismaking&#34;? Aantal' in html
    assert "Heel praktisch" in html and "Minder slides" in html and "De wijkaanpak" in html
    assert "3 deelnemers vulden de evaluatie in." in html and "Ja: 1 · Nee: 2" in html
    for person in answered.participants:
        assert person.name not in html and person.email not in html


def test_export_has_the_results_and_no_names(nl, answered):
    response = nl.get(f"/beheer/edities/{answered.edition_nl.id}/feedback.csv")
    assert response.status_code == 200
    body = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body), delimiter=";" if ";" in body.splitlines()[0]
                           else ","))
    assert rows[0][:5] == ["onderdeel", "sessie of vraag", "datum", "antwoorden", "gemiddelde"]
    session_row = next(r for r in rows if r[0] == "sessie")
    assert session_row[1:10] == ["Kennismaking", "2030-04-13", "3", "3,0", "0", "2", "0", "0",
                                 "1"]
    assert next(r for r in rows if "Heel praktisch" in r)[:2] == ["opmerking", "Kennismaking"]
    assert any("Wat pas je al toe?" in r and "De wijkaanpak" in r for r in rows)
    for person in answered.participants:
        assert person.name not in body and person.email not in body


def test_with_fewer_than_three_answers_only_their_number_is_shown(nl, session,
                                                                 coordinator_world):
    """Two answers and who attended would tell who gave them: page and export keep them back."""
    w = _answer(session, coordinator_world, coordinator_world.participants[:2])
    html = nl.get(f"/beheer/edities/{w.edition_nl.id}/feedback").get_data(as_text=True)
    assert html.count("2 antwoorden tot nu toe. De resultaten verschijnen vanaf 3 antwoorden") == 2
    assert "antwoorden, gemiddeld" not in html and 'role="img"' not in html
    assert "Heel praktisch" not in html and "Minder slides" not in html
    assert "De wijkaanpak" not in html and "Ja: " not in html
    assert "Hoe was de locatie?" in html  # the coordinator's questions can still be removed
    body = nl.get(f"/beheer/edities/{w.edition_nl.id}/feedback.csv").get_data(as_text=True)
    assert "Heel praktisch" not in body and "Minder slides" not in body
    assert "De wijkaanpak" not in body
    assert body.count("te weinig antwoorden om te tonen") == 2


def test_another_organisers_feedback_is_not_found(client, session, answered):
    be = Browser(client, session).sign_in("be@example.org")
    assert be.get(f"/beheer/edities/{answered.edition_nl.id}/feedback").status_code == 404
    assert be.get(f"/beheer/edities/{answered.edition_nl.id}/feedback.csv").status_code == 404
    question = session.exec(select(EvaluationQuestion)).first()
    session.commit()
    assert be.post(f"/beheer/evaluatievragen/{question.id}/verwijderen").status_code == 404


def test_coordinator_adds_and_removes_a_question(nl, session, coordinator_world):
    url = f"/beheer/edities/{coordinator_world.edition_nl.id}/feedback"
    empty = nl.post(url, data={"wording": "  ", "kind": "text"})
    assert empty.status_code == 400 and "Vraag is verplicht." in empty.get_data(as_text=True)
    bad_kind = nl.post(url, data={"wording": "Hoe was het eten?", "kind": "emoji"})
    assert bad_kind.status_code == 400
    assert session.exec(select(EvaluationQuestion)).all() == []
    session.commit()
    added = nl.post(url, data={"wording": "Hoe was het eten?", "kind": "scale"},
                    follow_redirects=True)
    assert "Vraag toegevoegd aan de evaluatie." in added.get_data(as_text=True)
    [question] = session.exec(select(EvaluationQuestion)).all()
    session.commit()
    assert (question.text, question.kind) == ("Hoe was het eten?", "scale")
    removed = nl.post(f"/beheer/evaluatievragen/{question.id}/verwijderen",
                      follow_redirects=True)
    assert "Vraag verwijderd." in removed.get_data(as_text=True)
    assert session.exec(select(EvaluationQuestion)).all() == []


def test_the_mail_schedule_shows_the_evaluation_and_its_reminder(nl, coordinator_world):
    html = nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}/berichtenplanning") \
        .get_data(as_text=True)
    assert "Evaluatie van de editie" in html and "Herinnering aan de evaluatie" in html
