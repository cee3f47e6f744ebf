"""The link in the coaching mail: opening it records the score, once per participant and
session; the page takes a comment; any other link is refused in Dutch and stores nothing."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from tests.coordinator_helpers import csrf_from
from tests.feedback.helpers import answers, cohort
from trajectories.feedback import tokens


@pytest.fixture
def world(session):
    return cohort(session)


def _url(app, person, meeting, score):
    return tokens.session_url(app.config["SETTINGS"], person, meeting.id, score)


def _path(url: str) -> str:
    """The link as the test client asks it: path and query."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_opening_the_link_records_the_score_and_again_changes_it(app, client, session, world):
    response = client.get(_path(_url(app, world.anna, world.first, 2)))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Dank je wel! Je gaf deze sessie een 2 van 5." in page
    assert answers(session, world.first.id) == [(2, "")]
    client.get(_path(_url(app, world.anna, world.first, 5)))
    assert answers(session, world.first.id) == [(5, "")]
    # Bert's answer is his own row; Anna's stays one.
    client.get(_path(_url(app, world.bert, world.first, 3)))
    assert sorted(answers(session, world.first.id)) == [(3, ""), (5, "")]


def test_the_comment_is_saved_with_the_score(app, client, session, world):
    link = _path(_url(app, world.anna, world.first, 4))
    page = client.get(link).get_data(as_text=True)
    action = link.rsplit("/", 1)[0]
    response = client.post(action, data={"csrf_token": csrf_from(page), "score": "4",
                                         "comment": "Goede sprekers,\nte weinig pauze."})
    assert response.status_code == 200
    assert "Dank je wel! Je antwoord is opgeslagen." in response.get_data(as_text=True)
    assert answers(session, world.first.id) == [(4, "Goede sprekers,\nte weinig pauze.")]
    # A bad score on the form: a message beside it, the stored answer unchanged.
    response = client.post(action, data={"csrf_token": csrf_from(page), "score": "7",
                                         "comment": "Anders"})
    assert response.status_code == 400
    assert "Kies een score van 1 tot en met 5." in response.get_data(as_text=True)
    assert answers(session, world.first.id) == [(4, "Goede sprekers,\nte weinig pauze.")]


def test_english_link_opens_the_page_in_english(app, client, world):
    url = _url(app, world.bert, world.first, 4)
    assert url.endswith("/4?lang=en")
    page = client.get(_path(url)).get_data(as_text=True)
    assert "How useful was this session?" in page


def _refused(client, path, message):
    response = client.get(path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Er is niets opgeslagen." in page


def test_a_link_for_another_session_is_refused(app, client, session, world):
    other = _url(app, world.anna, world.second, 4)
    # The second session's token on the first session's address.
    token = urlsplit(other).path.split("/")[-2]
    _refused(client, f"/feedback/sessie/{world.first.id}/{token}/4",
             "Deze link hoort bij een andere sessie of editie.")
    assert answers(session, world.first.id) == [] and answers(session, world.second.id) == []


def test_an_evaluation_link_is_no_session_link(app, client, session, world):
    token = tokens.make_token("test-secret-key", tokens.EVALUATION, world.anna.id,
                              world.first.id)
    _refused(client, f"/feedback/sessie/{world.first.id}/{token}/4", "Deze link is ongeldig.")
    assert answers(session, world.first.id) == []


def test_a_tampered_link_is_refused(app, client, session, world):
    url = _path(_url(app, world.anna, world.first, 4))
    token = urlsplit(url).path.split("/")[-2]
    # Another participant's id with Anna's signature.
    forged = tokens.make_token("another-secret", tokens.SESSION, world.bert.id, world.first.id)
    tampered = forged.rsplit(".", 1)[0] + "." + token.rsplit(".", 1)[1]
    _refused(client, f"/feedback/sessie/{world.first.id}/{tampered}/4", "Deze link is ongeldig.")
    _refused(client, f"/feedback/sessie/{world.first.id}/{token[:-3]}/4",
             "Deze link is ongeldig.")
    assert answers(session, world.first.id) == []


def test_an_expired_link_is_refused(app, client, session, world, monkeypatch):
    with monkeypatch.context() as m:
        sent = time.time() - tokens.MAX_AGE[tokens.SESSION].total_seconds() - 60
        m.setattr(time, "time", lambda: sent)
        url = _path(_url(app, world.anna, world.first, 4))
    _refused(client, url, "Deze link is verlopen.")
    assert answers(session, world.first.id) == []


def test_someone_no_longer_taking_part_cannot_answer(app, client, session, world):
    _refused(client, _path(_url(app, world.cees, world.first, 4)),
             "niet (meer) aan deze editie deelneemt")
    assert answers(session, world.first.id) == []


def test_a_score_outside_one_to_five_stores_nothing(app, client, session, world):
    _refused(client, _path(_url(app, world.anna, world.first, 9)),
             "Kies een score van 1 tot en met 5.")
    assert answers(session, world.first.id) == []


def test_a_link_checker_asking_head_records_nothing(app, client, session, world):
    assert client.head(_path(_url(app, world.anna, world.first, 1))).status_code == 200
    assert answers(session, world.first.id) == []


def test_the_token_never_reaches_the_request_log(app, client, world, caplog):
    url = _path(_url(app, world.anna, world.first, 3))
    token = urlsplit(url).path.split("/")[-2]
    with caplog.at_level("INFO", logger="trajectories.request"):
        client.get(url)
    logged = [r.getMessage() for r in caplog.records if r.name == "trajectories.request"]
    assert logged == [f"GET /feedback/sessie/{world.first.id}/<token>/3 200"]
    assert token not in caplog.text


def test_evaluation_links_are_refused_for_another_edition_or_a_session_token(app, client,
                                                                            session, world):
    other = tokens.make_token("test-secret-key", tokens.EVALUATION, world.anna.id,
                              world.edition.id + 1)
    _refused(client, f"/feedback/evaluatie/{world.edition.id}/{other}",
             "Deze link hoort bij een andere sessie of editie.")
    session_token = tokens.make_token("test-secret-key", tokens.SESSION, world.anna.id,
                                      world.edition.id)
    _refused(client, f"/feedback/evaluatie/{world.edition.id}/{session_token}",
             "Deze link is ongeldig.")


def test_an_incomplete_evaluation_is_refused_with_a_message_and_nothing_stored(app, client,
                                                                             session, world):
    from tests.feedback.helpers import evaluations

    link = _path(tokens.evaluation_url(app.config["SETTINGS"], world.anna, world.edition.id))
    page = client.get(link).get_data(as_text=True)
    response = client.post(link, data={"csrf_token": csrf_from(page), "usefulness": "4"})
    assert response.status_code == 400
    assert "Kies ja of nee." in response.get_data(as_text=True)
    assert evaluations(session, world.edition.id) == []


def test_answers_keep_no_participant_and_cannot_be_linked_across_sessions(app, client, session,
                                                                          world):
    from sqlmodel import SQLModel, select

    from trajectories.feedback.models import SessionFeedback

    for table in ("session_feedback", "evaluation_response", "evaluation_answer"):
        columns = set(SQLModel.metadata.tables[table].columns.keys())
        assert not columns & {"participant_id", "name", "email"}
    client.get(_path(_url(app, world.anna, world.first, 4)))
    client.get(_path(_url(app, world.anna, world.second, 4)))
    who = [r.respondent for r in session.exec(select(SessionFeedback))]
    session.commit()
    assert len(who) == 2 and who[0] != who[1]
    assert str(world.anna.id) not in who
