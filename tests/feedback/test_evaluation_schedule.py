"""Through the real scheduler path (planned moments, `process_moment`, the outbox, the drain, a
real SMTP server): the coaching mail carries the five feedback links; the evaluation is planned
the day after the last session, sent once, and reminded once, only to who has not answered."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.coordinator_helpers import csrf_from
from tests.feedback.helpers import answers, cohort, evaluations
from tests.scheduler.test_scheduler import fire, moment, outbox
from trajectories.feedback import services as feedback
from trajectories.mail.drain import drain
from trajectories.mail.render import row_content
from trajectories.schedule import services as schedule


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def world(session):
    return cohort(session)


def _send(app) -> None:
    drain(app.extensions["trajectories.db"], app.config["SETTINGS"])


def _text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_coaching_mail_carries_five_signed_links_in_each_language(app, client, session, world,
                                                                  smtp_sink):
    coaching = moment(session, f"coaching:session:{world.first.id}:PT2H")
    assert fire(app, coaching.job_id, coaching.due_at) == "sent"
    _send(app)
    smtp_sink.wait_for(2)
    anna, bert = (_text(smtp_sink.to(a)[0]) for a in ("anna@gemeente.example",
                                                      "bert@gemeente.example"))
    assert "Hoe nuttig was deze sessie?" in anna and "How useful was this session?" in bert
    links = re.findall(r"^(\d): (http\S+?)\r?$", anna, re.MULTILINE)
    assert [n for n, _ in links] == ["1", "2", "3", "4", "5"]
    assert all(f"/feedback/sessie/{world.first.id}/" in url and url.endswith(f"/{n}")
               for n, url in links)
    assert re.search(r"^5: http\S+/5\?lang=en\r?$", bert, re.MULTILINE)
    html = smtp_sink.to("anna@gemeente.example")[0].get_body(("html",)).get_content()
    assert all(f'href="{url}"' in html for _, url in links)
    # Each participant's links are their own: Anna's and Bert's tokens differ.
    bert_links = re.findall(r"^\d: (http\S+?)\r?$", bert, re.MULTILINE)
    assert {urlsplit(u).path.split("/")[-2] for _, u in links}.isdisjoint(
        {urlsplit(u).path.split("/")[-2] for u in bert_links})
    # One shared text for everyone (one INSERT ... SELECT); a coordinator's copy of it in the
    # outbox has a placeholder where each recipient's own link goes.
    rows = outbox(session, "coaching")
    assert all(r.body_id is not None for r in rows)
    copy = row_content(session, rows[0], app.config["SETTINGS"])[1]
    session.commit()
    assert "/feedback/sessie/" in copy and "persoonlijke-link" in copy
    assert links[0][1].rsplit("/", 2)[1] not in copy
    # Clicking "4" in Anna's mail records her answer.
    assert client.get(_path(links[3][1])).status_code == 200
    assert answers(session, world.first.id) == [(4, "")]


def test_evaluation_planned_after_the_last_session_follows_it(session, world):
    job = f"evaluation:edition:{world.edition.id}"
    # 09:00 CEST the day after the last session (20 May 2030), the reminder a week later.
    assert moment(session, job).due_at == datetime(2030, 5, 21, 7, 0, tzinfo=UTC)
    assert moment(session, f"evaluation_reminder:edition:{world.edition.id}").due_at == \
        datetime(2030, 5, 28, 7, 0, tzinfo=UTC)
    later = factories.meeting(session, world.edition, title="Extra", on_date=date(2030, 6, 3))
    assert moment(session, job).due_at == datetime(2030, 6, 4, 7, 0, tzinfo=UTC)
    schedule.cancel_meeting(session, later)
    assert moment(session, job).due_at == datetime(2030, 5, 21, 7, 0, tzinfo=UTC)
    assert moment(session, job).status == "planned"


def test_evaluation_sent_once_and_reminded_once_to_who_did_not_answer(app, client, session,
                                                                       world, smtp_sink):
    edition = world.edition
    feedback.add_question(session, edition, wording="Wat pas je al toe?", kind="text")
    first = moment(session, f"evaluation:edition:{edition.id}")
    assert fire(app, first.job_id, first.due_at) == "sent"
    assert fire(app, first.job_id, first.due_at + timedelta(minutes=1)) == "gone"
    # Everyone taking part, not Cees who withdrew.
    assert sorted(r.to for r in outbox(session, "evaluation")) == [
        "anna@gemeente.example", "bert@gemeente.example"]
    _send(app)
    smtp_sink.wait_for(2)
    mail = smtp_sink.to("anna@gemeente.example")[0]
    assert re.fullmatch(r"Hoe was Leertraject \d+\?", mail["Subject"])
    link = re.search(r"Naar de evaluatie: (http\S+)", _text(mail)).group(1)
    assert f"/feedback/evaluatie/{edition.id}/" in link

    # A late re-plan (the last session moved after the evaluation went) sends no second one.
    schedule.reschedule_meeting(session, world.second, on_date=date(2030, 5, 22),
                                start=time(13, 30), end=time(15, 30))
    again = moment(session, first.job_id)
    if again.status == "planned":
        fire(app, again.job_id, again.due_at)
    assert len(outbox(session, "evaluation")) == 2

    # Anna answers through her link.
    page = client.get(_path(link))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Wat pas je al toe?" in html
    question_field = re.search(r'name="(q\d+)"', html).group(1)
    response = client.post(_path(link), data={
        "csrf_token": csrf_from(html), "usefulness": "4", "recommend": "ja",
        "improve": "Meer tijd voor uitwisseling", question_field: "De wijkaanpak"})
    assert response.status_code == 200
    [answer] = evaluations(session, edition.id)
    assert (answer.usefulness, answer.recommend, answer.improve) == (
        4, True, "Meer tijd voor uitwisseling")

    reminder = moment(session, f"evaluation_reminder:edition:{edition.id}")
    assert fire(app, reminder.job_id, reminder.due_at) == "sent"
    assert fire(app, reminder.job_id, reminder.due_at + timedelta(hours=1)) == "gone"
    rows = outbox(session, "evaluation")
    assert [r.to for r in rows[2:]] == ["bert@gemeente.example"]
    _send(app)
    smtp_sink.wait_for(3)
    [first_mail, reminded] = smtp_sink.to("bert@gemeente.example")
    assert reminded["Subject"].startswith("Reminder: how was")
    assert len(smtp_sink.to("anna@gemeente.example")) == 1


def test_no_reminder_when_the_evaluation_itself_never_went(app, session, world):
    first = moment(session, f"evaluation:edition:{world.edition.id}")
    reminder = moment(session, f"evaluation_reminder:edition:{world.edition.id}")
    # The scheduler was down past the evaluation's usefulness: skipped; the reminder sends nothing.
    assert fire(app, first.job_id, reminder.due_at + timedelta(minutes=1)) == "skipped"
    assert fire(app, reminder.job_id, reminder.due_at + timedelta(minutes=2)) == "sent"
    assert outbox(session, "evaluation") == []
