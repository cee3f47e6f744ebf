"""Messages in the coordinator app: hold/release, the review step, retry, a one-off message,
the schedule, and password reset by mail — delivered to a real SMTP server."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.coordinator_helpers import PASSWORD, Browser
from trajectories.mail.drain import drain
from trajectories.mail.models import MailKind, MailStatus, OutboxMessage
from trajectories.mail.outbox import queue_mail
from trajectories.web.coordinator import auth


def _drain(session, db, settings):
    session.rollback()  # the test's own read transaction would hold SQLite's write lock
    return drain(db, settings)


def _rows(session, **where):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    return list(session.exec(query))


#: The mail settings form as a browser posts it (prefilled with the defaults).
MAIL = {"reminder_days": "7, 1", "nudge_days": "14, 3, 0, -2", "send_hour": "9",
        "coaching_delay_hours": "2"}

ONE_OFF = {"group": "admitted", "subject": "Locatie gewijzigd",
           "body": "We zitten in zaal 2.\n\n<script>alert(1)</script>"}


def test_one_off_message_held_then_released_and_delivered(nl, session, coordinator_world, db, mail_settings,
                                                          smtp_sink):
    edition_id = coordinator_world.edition_nl.id
    nl.post(f"/beheer/edities/{edition_id}/berichten", {**MAIL, "hold": "y"})
    response = nl.post(f"/beheer/edities/{edition_id}/berichten/nieuw", ONE_OFF)
    assert response.status_code == 302
    rows = _rows(session, edition_id=edition_id)
    assert len(rows) == 3 and {r.status for r in rows} == {MailStatus.HELD}  # 3 admitted
    assert _drain(session, db, mail_settings).sent == 0
    nl.post(f"/beheer/edities/{edition_id}/berichten/vrijgeven", {"all": "1"})
    assert {r.status for r in _rows(session, edition_id=edition_id)} == {MailStatus.QUEUED}
    assert _drain(session, db, mail_settings).sent == 3
    mail = smtp_sink.wait_for(3)[0]
    assert mail["Subject"] == "Locatie gewijzigd"
    html = mail.get_body(("html",)).get_content()
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Beste Deelnemer" in mail.get_body(("plain",)).get_content()


def test_one_off_without_subject_is_refused_and_queues_nothing(nl, session, coordinator_world):
    response = nl.post(f"/beheer/edities/{coordinator_world.edition_nl.id}/berichten/nieuw",
                       {**ONE_OFF, "subject": ""})
    assert response.status_code == 400
    assert "Dit veld is verplicht." in response.get_data(as_text=True)
    assert _rows(session) == []


def test_review_step_holds_coaching_drafts_until_released(nl, session, coordinator_world):
    edition_id = coordinator_world.edition_nl.id
    nl.post(f"/beheer/edities/{edition_id}/berichten",
            {**MAIL, "review_coaching": "y", "hold": "y"})
    for i, kind in enumerate((MailKind.COACHING, MailKind.REMINDER)):
        queue_mail(session, to=f"p{i}@example.org", kind=kind, subject=f"Mail {i}", text="x",
                   dedupe_key=f"k{i}", edition_id=edition_id)
    session.commit()
    # Switching the hold off releases the reminder; the coaching draft waits for review.
    nl.post(f"/beheer/edities/{edition_id}/berichten", {**MAIL, "review_coaching": "y"})
    by_kind = {r.kind: r for r in _rows(session, edition_id=edition_id)}
    assert by_kind["reminder"].status == MailStatus.QUEUED
    assert by_kind["coaching"].status == MailStatus.HELD
    page = nl.get(f"/beheer/edities/{edition_id}/berichten?status=held").get_data(as_text=True)
    assert "Mail 0" in page and "Mail 1" not in page
    nl.post(f"/beheer/edities/{edition_id}/berichten/vrijgeven",
            {"selected": [str(by_kind["coaching"].id)]})
    session.refresh(by_kind["coaching"])
    assert by_kind["coaching"].status == MailStatus.QUEUED


def test_failed_mail_shows_on_dashboard_and_can_be_retried(nl, session, coordinator_world, db, mail_settings,
                                                           smtp_sink):
    smtp_sink.refuse["weg@example.org"] = "550 5.1.1 no such user"
    row = queue_mail(session, to="weg@example.org", kind=MailKind.OTHER, subject="Hallo",
                     text="Tekst", dedupe_key="x", edition_id=coordinator_world.edition_nl.id)
    session.commit()
    _drain(session, db, mail_settings)
    session.refresh(row)
    assert row.status == MailStatus.FAILED
    assert "1 mislukte mail" in nl.get("/beheer/").get_data(as_text=True)
    page = nl.get(f"/beheer/berichten/{row.id}").get_data(as_text=True)
    assert "no such user" in page and "Opnieuw versturen" in page
    nl.post(f"/beheer/berichten/{row.id}/opnieuw")
    session.refresh(row)
    assert row.status == MailStatus.QUEUED and row.attempts == 0


def test_outbox_names_each_kind_of_mail_in_the_coordinators_language(nl, session,
                                                                     coordinator_world):
    edition_id = coordinator_world.edition_nl.id
    for i, kind in enumerate([MailKind.REMINDER, MailKind.NUDGE, "public_signin"]):
        queue_mail(session, to=f"p{i}@example.org", kind=kind, subject=f"Mail {i}", text="x",
                   dedupe_key=f"k{i}", edition_id=edition_id)
    session.commit()

    dutch = nl.get(f"/beheer/edities/{edition_id}/berichten").get_data(as_text=True)
    nl.get("/taal/en")
    english = nl.get(f"/beheer/edities/{edition_id}/berichten").get_data(as_text=True)

    for label in ("herinnering aan een sessie", "herinnering aan een deadline", "inloglink"):
        assert f">{label}<" in dutch
    for label in ("session reminder", "deadline reminder", "sign-in link"):
        assert f">{label}<" in english
    assert ">reminder<" not in dutch and ">public_signin<" not in english


def test_message_preview_is_sandboxed_and_scoped(client, nl, session, coordinator_world):
    row = queue_mail(session, to="a@example.org", kind=MailKind.OTHER, subject="Voorbeeld",
                     text="Platte tekst", html="<p>HTML</p>", dedupe_key="p",
                     edition_id=coordinator_world.edition_be.id)
    session.commit()
    assert nl.get(f"/beheer/berichten/{row.id}").status_code == 404
    be = Browser(client.application.test_client(), session)
    be.sign_in("be@example.org")
    assert "Platte tekst" in be.get(f"/beheer/berichten/{row.id}").get_data(as_text=True)
    html = be.get(f"/beheer/berichten/{row.id}/html")
    assert "sandbox" in html.headers["Content-Security-Policy"] and html.data == b"<p>HTML</p>"


def test_schedule_lists_reminders_with_recipient_counts(nl, coordinator_world):
    html = nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}/berichtenplanning").get_data(as_text=True)
    # Session on 13 April 2030 13:30: reminders 7 and 1 days before at the send hour, to the 3
    # admitted.
    assert "06-04-2030 09:00" in html and "12-04-2030 09:00" in html
    assert "Herinnering sessie" in html and "Coachingsmail" in html
    assert "Herinnering deadline" in html
    assert re.search(r"Kennismaking</td><td class=\"utrecht-table__cell\">3<", html)


def test_password_reset_by_mail_works_once(client, session, coordinator_world, db, mail_settings, smtp_sink):
    browser = Browser(client, session)
    browser.get("/beheer/wachtwoord")
    response = browser.post("/beheer/wachtwoord", {"email": "onbekend@example.org"})
    assert response.status_code == 302 and _rows(session) == []
    browser.post("/beheer/wachtwoord", {"email": "NL@example.org"})
    assert _drain(session, db, mail_settings).sent == 1
    mail = smtp_sink.wait_for(1)[0]
    assert mail["To"] == "nl@example.org"
    link = re.search(r"http://\S+/beheer/wachtwoord/\S+", mail.get_body(("plain",)).get_content())
    path = link.group(0).split("5000", 1)[1] if "5000" in link.group(0) else link.group(0)
    assert browser.get(path).status_code == 200
    response = browser.post(path, {"password": "nieuw-wachtwoord-2030", "repeat": "anders"})
    assert "De twee wachtwoorden zijn niet gelijk." in response.get_data(as_text=True)
    response = browser.post(path, {"password": "kort", "repeat": "kort"})
    assert "Kies een wachtwoord van minstens 12 tekens." in response.get_data(as_text=True)
    assert browser.post(path, {"password": "nieuw-wachtwoord-2030",
                               "repeat": "nieuw-wachtwoord-2030"}).status_code == 302
    assert browser.get(path).status_code == 404  # spent
    assert Browser(client.application.test_client(), session).login(
        "nl@example.org", PASSWORD).status_code == 400
    assert Browser(client.application.test_client(), session).login(
        "nl@example.org", "nieuw-wachtwoord-2030").status_code == 302


def test_password_reset_link_expires(client, session, coordinator_world, app, monkeypatch):
    from trajectories.accounts.models import Coordinator

    row = session.exec(select(Coordinator).where(Coordinator.email == "nl@example.org")).one()
    with app.test_request_context():
        token = auth.reset_token(row)
    monkeypatch.setattr(auth, "RESET_MAX_AGE", -1)
    assert client.get(f"/beheer/wachtwoord/{token}").status_code == 404


@pytest.mark.parametrize("change, field, message", [
    ({"reminder_days": "zeven"}, "reminder_days",
     "Schrijf hele dagen met komma"),
    ({"reminder_days": "-1"}, "reminder_days", "Dagen liggen tussen 0 en 365."),
    ({"send_hour": "24"}, "send_hour", "Kies een uur van 0 tot en met 23."),
    ({"coaching_delay_hours": "500"}, "coaching_delay_hours", "Kies 0 tot en met 168 uur"),
])
def test_bad_nudge_policy_is_refused_and_changes_nothing(nl, session, coordinator_world, change, field,
                                                         message):
    from trajectories.mail.models import EditionMailSettings

    response = nl.post(f"/beheer/edities/{coordinator_world.edition_nl.id}/berichten", {**MAIL, **change,
                                                                           "hold": "y"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html.split(f'id="{field}-error"')[1]
    assert session.get(EditionMailSettings, coordinator_world.edition_nl.id) is None


def test_nudge_policy_changes_the_schedule(nl, coordinator_world):
    url = f"/beheer/edities/{coordinator_world.edition_nl.id}"
    assert nl.post(f"{url}/berichten", {**MAIL, "reminder_days": "3", "nudge_days": "1",
                                        "coaching_delay_hours": ""}).status_code == 302
    html = nl.get(f"{url}/berichtenplanning").get_data(as_text=True)
    assert "10-04-2030 09:00" in html and "06-04-2030" not in html
    assert "31-05-2030 09:00" in html  # deadline 1 June, one day before at 09:00
    assert "Coachingsmail" not in html


def test_one_off_message_carries_its_own_one_click_unsubscribe(nl, client, session,
                                                               coordinator_world, db,
                                                               mail_settings, smtp_sink):
    from trajectories.mail.preferences import mail_preferences
    from trajectories.people.models import Participant

    edition_id = coordinator_world.edition_nl.id
    assert nl.post(f"/beheer/edities/{edition_id}/berichten/nieuw", ONE_OFF).status_code == 302
    assert _drain(session, db, mail_settings).sent == 3
    mail = smtp_sink.wait_for(3)[0]
    link = mail["List-Unsubscribe"].strip("<>")
    assert link.startswith(mail_settings.base_url + "/mail/afmelden/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in mail.get_body(("plain",)).get_content()
    assert "Geen mails van dit soort meer ontvangen" in mail.get_body(("html",)).get_content()
    # The link switches off the coordinator's messages, and nothing else.
    response = client.post(link.removeprefix(mail_settings.base_url),
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    person = session.exec(select(Participant).where(Participant.email == str(mail["To"]))).one()
    preferences = mail_preferences(session, person)
    assert preferences.pop("announcement") is False and all(preferences.values())
    session.rollback()
    nl.post(f"/beheer/edities/{edition_id}/berichten/nieuw", {**ONE_OFF, "subject": "Nog een"})
    assert person.email not in [r.to for r in _rows(session, subject="Nog een")]
    assert len(_rows(session, subject="Nog een")) == 2


def _schedule_tables(html: str) -> tuple[list, list]:
    """(planned rows, history rows) of the mail schedule page, each row its cells' text."""
    tables = re.findall(r"<tbody[^>]*>(.*?)</tbody>", html, re.S)
    rows = [[[re.sub(r"<[^>]+>", "", cell).strip()
              for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)] for table in tables]
    return rows[0], (rows[1:] or [[]])[0]


def test_schedule_shows_the_real_plan(nl, session, coordinator_world):
    from tests import factories
    from trajectories.catalogue.models import Edition
    from trajectories.schedule import services as schedule
    from trajectories.scheduler.models import PlannedMoment

    world = coordinator_world
    edition = session.get(Edition, world.edition_nl.id)
    url = f"/beheer/edities/{edition.id}"
    # A day-0 reminder is not sent (the session starts then); neither is a reminder for a
    # session whose time is still to be announced.
    assert nl.post(f"{url}/berichten", {**MAIL, "reminder_days": "7, 0"}).status_code == 302
    factories.meeting(session, edition, title="Terugkomdag", on_date=world.meeting_nl.on_date,
                      start=None, end=None)
    schedule.extend_deadline(session, world.deadline_nl, world.participants[0],
                             due_date=world.deadline_nl.due_date.replace(day=15))
    session.commit()
    planned, _history = _schedule_tables(nl.get(f"{url}/berichtenplanning").get_data(as_text=True))
    what = [(row[1], row[2]) for row in planned]
    assert ("Herinnering sessie", "Kennismaking") in what
    assert ("Herinnering sessie", "Terugkomdag") not in what
    assert "13-04-2030 13:30" not in [row[0] for row in planned]  # no day-0 reminder
    # An extension's own nudges, and the invitation to the new session.
    assert ["15-06-2030 09:00", "Herinnering deadline", "Plan (verlenging voor Deelnemer 0)",
            "1"] in planned
    assert ("Uitnodiging voor een sessie", "Terugkomdag") in what
    count = len(session.exec(select(PlannedMoment).where(
        PlannedMoment.edition_id == edition.id, PlannedMoment.status == "planned")).all())
    assert len(planned) == count


def test_schedule_shows_what_the_scheduler_did_and_why_it_skipped(app, nl, session,
                                                                  coordinator_world):
    from datetime import UTC, datetime

    from trajectories.scheduler.jobs import process_moment
    from trajectories.scheduler.models import PlannedMoment

    meeting_id, edition_id = coordinator_world.meeting_nl.id, coordinator_world.edition_nl.id
    invite = session.exec(select(PlannedMoment).where(
        PlannedMoment.job_id == f"invite:session:{meeting_id}")).one()
    job_id, due_at = invite.job_id, invite.due_at
    session.rollback()  # the test's read transaction would hold SQLite's write lock
    assert process_moment(app, job_id, now=due_at) == "sent"
    # The scheduler was down until the session began: the week-before reminder helps nobody.
    late = datetime(2030, 4, 13, 12, 0, tzinfo=UTC)
    assert process_moment(app, f"reminder:session:{meeting_id}:P7D", now=late) == "skipped"
    html = nl.get(f"/beheer/edities/{edition_id}/berichtenplanning")
    planned, history = _schedule_tables(html.get_data(as_text=True))
    assert history[0][:5] == ["06-04-2030 09:00", "13-04-2030 14:00", "Herinnering sessie",
                              "Kennismaking", "–"]
    assert history[0][5].startswith("Te laat")
    assert history[1][2:6] == ["Uitnodiging voor een sessie", "Kennismaking", "3", ""]
    assert "Herinnering sessie" not in [row[1] for row in planned if row[0].startswith("06-04")]
    nl.get("/taal/en")
    english = nl.get(f"/beheer/edities/{edition_id}/berichtenplanning").get_data(as_text=True)
    assert "What the scheduler did" in english and "Too late: the scheduler" in english
    assert "Session invitation" in english


def test_a_held_reminder_previews_and_arrives_as_each_participants_own_mail(
        nl, client, session, coordinator_world, db, mail_settings, smtp_sink):
    """A session reminder to the whole edition is queued in one statement, its text stored once
    per language: still each participant's preview, delivered mail, name (escaped in the HTML),
    language, unsubscribe link and Message-ID are their own, and an opt-out is respected."""
    from trajectories.mail.preferences import read_unsubscribe_token, set_mail_preference
    from trajectories.scheduler.jobs import process_moment
    from trajectories.scheduler.models import PlannedMoment

    world = coordinator_world
    edition_id = world.edition_nl.id
    anna, bert, cees = world.participants[:3]
    anna.name, bert.language = "Anna & Zoë <Vries>", "en"
    session.add_all([anna, bert])
    set_mail_preference(session, cees, "reminder", False)
    session.commit()
    nl.post(f"/beheer/edities/{edition_id}/berichten", {**MAIL, "hold": "y"})
    job = f"reminder:session:{world.meeting_nl.id}:P1D"
    due = session.exec(select(PlannedMoment.due_at).where(PlannedMoment.job_id == job)).one()
    session.rollback()
    assert process_moment(client.application, job, now=due) == "sent"
    assert process_moment(client.application, job, now=due) == "gone"
    note = session.exec(select(PlannedMoment.note).where(PlannedMoment.job_id == job)).one()
    assert note == "2 mails queued"
    rows = {r.to: r for r in _rows(session, kind="reminder")}
    assert sorted(rows) == sorted([anna.email, bert.email])
    assert {r.status for r in rows.values()} == {MailStatus.HELD}
    page = nl.get(f"/beheer/berichten/{rows[anna.email].id}").get_data(as_text=True)
    assert "Beste Anna &amp; Zoë &lt;Vries&gt;," in page
    previewed_link = re.search(r"/mail/afmelden/[\w.-]+", page).group()
    html = nl.get(f"/beheer/berichten/{rows[anna.email].id}/html").get_data(as_text=True)
    assert "Anna &amp; Zoë &lt;Vries&gt;" in html and "<Vries>" not in html
    nl.post(f"/beheer/edities/{edition_id}/berichten/vrijgeven", {"all": "y"})
    assert _drain(session, db, mail_settings).sent == 2
    smtp_sink.wait_for(2)
    [to_anna], [to_bert] = smtp_sink.to(anna.email), smtp_sink.to(bert.email)
    text = to_anna.get_body(("plain",)).get_content()
    assert "Beste Anna & Zoë <Vries>," in text
    assert "Anna &amp; Zoë &lt;Vries&gt;" in to_anna.get_body(("html",)).get_content()
    link = to_anna["List-Unsubscribe"].strip("<>")
    assert link.endswith(previewed_link) and link in text
    token = link.rsplit("/", 1)[1]
    assert read_unsubscribe_token(mail_settings.secret_key, token) == (anna.id, "reminder")
    english = to_bert.get_body(("plain",)).get_content()
    assert f"Dear {bert.name}," in english and to_bert["List-Unsubscribe"].strip("<>") in english
    assert to_bert["List-Unsubscribe"] != to_anna["List-Unsubscribe"]
    assert {to_anna["Message-ID"], to_bert["Message-ID"]} == {
        rows[anna.email].message_id, rows[bert.email].message_id}
