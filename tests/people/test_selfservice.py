"""'My trajectories' by magic link: sign in, sessions, deliverables with uploads, withdraw,
export and erase — through the Flask test client and a real SMTP server."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlmodel import select

from tests import factories
from tests.public_world import closing_client, follow_link, link_in, open_edition, submit, token_of
from trajectories.core.clock import utcnow
from trajectories.feeds.models import FeedPreference
from trajectories.feeds.preferences import set_feed_alarm
from trajectories.mail.models import OutboxMessage
from trajectories.mail.render import row_content
from trajectories.people import services as people
from trajectories.people.models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Participant,
    Submission,
)
from trajectories.schedule import services as schedule
from trajectories.schedule.models import DeliveredBy, Meeting
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import PlannedMoment


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def client(app, session):
    return closing_client(app, session)


@pytest.fixture
def member(session):
    """An admitted participant with a session ahead and a deadline, and a fellow participant."""
    edition = open_edition(session)
    org = factories.municipality(session, "Noordenveld", "GM1699")
    participant = factories.participant(session, name="Sanne Bakker",
                                        email="s.bakker@noordenveld.example",
                                        organisation_id=org.id)
    other = factories.participant(session, name="Jan de Vries", email="j.devries@utrecht.example")
    people.enroll(session, edition, participant)
    people.enroll(session, edition, other)
    soon = utcnow().date() + timedelta(days=7)
    factories.meeting(session, edition, on_date=soon, title="Werksessie",
                      online_url="https://meet.example/werksessie")
    deadline = schedule.set_deadline(session, edition, title="Plan van aanpak",
                                     due_date=date(2099, 1, 1))
    return {"edition": edition, "participant": participant, "other": other, "deadline": deadline}


def sign_in(client, smtp_sink, email="s.bakker@noordenveld.example"):
    before = len(smtp_sink.messages)
    submit(client, "/mijn/inloggen", {"email": email})
    mail = smtp_sink.wait_for(before + 1)[before]
    assert mail["Subject"] == "Je inloglink voor Mijn leertrajecten"
    return follow_link(client, mail), mail


def test_sign_in_by_link_shows_my_trajectories(client, smtp_sink, member):
    assert client.get("/mijn/").status_code == 302  # not signed in
    landed, _ = sign_in(client, smtp_sink)
    assert landed.status_code == 302
    home = client.get("/mijn/").get_data(as_text=True)
    assert "Sanne Bakker" in home
    assert "Werksessie" in home and "https://meet.example/werksessie" in home
    assert "Plan van aanpak" in home
    assert "Jan de Vries" not in home


def test_unknown_address_gets_the_same_answer_and_no_mail(client, smtp_sink, member):
    answer = submit(client, "/mijn/inloggen", {"email": "onbekend@example.org"})
    assert answer.status_code == 200 and "Als onbekend@example.org bij ons bekend is" in \
        answer.get_data(as_text=True)
    time.sleep(0.2)
    assert smtp_sink.messages == []
    bad = submit(client, "/mijn/inloggen", {"email": "geen adres"})
    assert bad.status_code == 422 and "geldig e-mailadres" in bad.get_data(as_text=True)


def test_sign_in_link_is_single_use_and_cannot_be_tampered(client, smtp_sink, member):
    _, mail = sign_in(client, smtp_sink)
    assert client.get("/mijn/").status_code == 200
    submit(client, "/mijn/", action="/mijn/uitloggen")
    assert client.get("/mijn/").status_code == 302
    reused = follow_link(client, mail)
    assert reused.status_code == 400 and "al gebruikt" in reused.get_data(as_text=True)
    path = link_in(mail)
    tampered = token_of(path)[:-2] + "xx"
    answer = submit(client, path, {"t": tampered}, action="/mijn/link")
    assert answer.status_code == 400 and "ongeldig" in answer.get_data(as_text=True)
    assert client.get("/mijn/").status_code == 302


def test_confirmation_link_cannot_sign_in(app, client, smtp_sink, member):
    """A link made for one purpose is refused for another (the purpose is in the signature)."""
    from trajectories.accounts import tokens as signin

    token = signin.make_token(app.config["SECRET_KEY"], signin.CONFIRM,
                              {"p": member["participant"].id, "e": member["participant"].email})
    answer = submit(client, f"/mijn/link?t={token}", {"t": token}, action="/mijn/link")
    assert answer.status_code == 400


def deadline_path(member) -> str:
    return f"/mijn/deadline/{member['deadline'].id}"


def test_submit_text_then_file_and_resubmit_until_the_deadline(app, session, client, smtp_sink,
                                                                member):
    sign_in(client, smtp_sink)
    path = deadline_path(member)
    answer = submit(client, path, {"text": "Ons plan"})
    assert answer.status_code == 302
    pdf = b"%PDF-1.7\n" + b"x" * 1000
    answer = submit(client, path, {"text": "Ons plan, versie 2",
                                   "file": (BytesIO(pdf), "plan van aanpak.pdf")},
                    content_type="multipart/form-data")
    assert answer.status_code == 302
    saved = session.exec(select(Submission)).one()
    assert (saved.text, saved.file_name, saved.late) == ("Ons plan, versie 2",
                                                         "plan van aanpak.pdf", False)
    stored = Path(app.config["SETTINGS"].var_dir) / saved.file_path
    assert stored.read_bytes() == pdf
    assert client.get(path + "/bestand").data == pdf
    # Resubmitting text only keeps the file; a new file replaces the old one on disk.
    submit(client, path, {"text": "versie 3"})
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    submit(client, path, {"text": "versie 4", "file": (BytesIO(png), "schema.png")},
           content_type="multipart/form-data")
    session.expire_all()
    latest = session.exec(select(Submission)).one()
    assert latest.file_name == "schema.png" and not stored.exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("virus.exe", b"MZ" + b"0" * 10, "Dit soort bestand kan niet"),
    ("nep.pdf", b"<html>geen pdf</html>", "past niet bij .pdf"),
    ("groot.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "te groot"),
    ("leeg.txt", b"", "leeg"),
])
def test_bad_files_are_refused_and_nothing_is_kept(app, session, client, smtp_sink, member,
                                                   name, content, message):
    sign_in(client, smtp_sink)
    answer = submit(client, deadline_path(member), {"text": "tekst",
                                                    "file": (BytesIO(content), name)},
                    content_type="multipart/form-data")
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert session.exec(select(Submission)).all() == []
    uploads = Path(app.config["SETTINGS"].var_dir) / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_empty_submission_is_refused(session, client, smtp_sink, member):
    sign_in(client, smtp_sink)
    answer = submit(client, deadline_path(member), {"text": "  "})
    assert answer.status_code == 422 and "Voeg een tekst of een bestand toe" in \
        answer.get_data(as_text=True)


def test_after_the_deadline_a_first_submission_is_late_and_a_resubmission_refused(
        session, client, smtp_sink, member):
    edition = member["edition"]
    deadline = schedule.set_deadline(session, edition, title="Verslag",
                                     due_date=utcnow().date() - timedelta(days=2))
    sign_in(client, smtp_sink)
    path = f"/mijn/deadline/{deadline.id}"
    assert "wordt gemarkeerd als te laat" in client.get(path).get_data(as_text=True)
    submit(client, path, {"text": "laat verslag"})
    saved = session.exec(select(Submission).where(Submission.deadline_id == deadline.id)).one()
    assert saved.late is True
    assert 'name="text"' not in client.get(path).get_data(as_text=True)  # no form any more
    token = client.get("/mijn/inloggen").get_data(as_text=True).split(
        'name="csrf_token" value="')[1].split('"')[0]
    refused = client.post(path, data={"csrf_token": token, "text": "nieuwe versie"})
    assert refused.status_code == 422 and "De deadline is verstreken" in \
        refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(Submission, saved.id).text == "laat verslag"


def test_someone_elses_deadline_or_enrollment_is_not_found(session, client, smtp_sink, member):
    outsider_edition = factories.edition(session)
    hidden = schedule.set_deadline(session, outsider_edition, title="Geheim",
                                   due_date=date(2099, 1, 1))
    other_enrollment = session.exec(select(Enrollment).where(
        Enrollment.participant_id == member["other"].id)).one()
    sign_in(client, smtp_sink)
    assert client.get(f"/mijn/deadline/{hidden.id}").status_code == 404
    token = client.get("/mijn/inloggen").get_data(as_text=True).split(
        'name="csrf_token" value="')[1].split('"')[0]
    assert client.post(f"/mijn/inschrijving/{other_enrollment.id}/afmelden",
                       data={"csrf_token": token}).status_code == 404


def test_withdraw_frees_the_place_for_the_waiting_list(session, client, smtp_sink):
    edition = open_edition(session, capacity=1)
    first = factories.participant(session, email="eerste@gemeente.example")
    second = factories.participant(session, email="tweede@gemeente.example")
    mine = people.enroll(session, edition, first)
    waiting = people.enroll(session, edition, second)
    assert waiting.status == EnrollmentStatus.WAITLISTED
    sign_in(client, smtp_sink, "eerste@gemeente.example")
    answer = submit(client, "/mijn/", action=f"/mijn/inschrijving/{mine.id}/afmelden")
    assert answer.status_code == 302
    session.expire_all()
    assert session.get(Enrollment, mine.id).status == EnrollmentStatus.WITHDRAWN
    assert session.get(Enrollment, waiting.id).status == EnrollmentStatus.ADMITTED
    assert "Je bent afgemeld" in client.get("/mijn/").get_data(as_text=True)


def test_download_my_data_holds_mine_only(session, client, smtp_sink, member):
    people.submit(session, member["deadline"], member["other"], text="tekst van Jan")
    people.submit(session, member["deadline"], member["participant"], text="tekst van Sanne")
    sign_in(client, smtp_sink)
    response = client.get("/mijn/gegevens.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["participant"]["email"] == "s.bakker@noordenveld.example"
    assert data["organisation"]["code"] == "GM1699"
    assert [s["text"] for s in data["submissions"]] == ["tekst van Sanne"]
    assert "Jan" not in response.get_data(as_text=True)


def test_erase_anonymises_and_keeps_only_publication_texts(app, session, client, smtp_sink,
                                                           member):
    edition, participant = member["edition"], member["participant"]
    publication = schedule.set_deadline(session, edition, title="Tekst voor de publicatie",
                                        due_date=date(2099, 1, 1),
                                        delivered_by=DeliveredBy.ORGANISATION)
    people.submit(session, publication, participant, text="Best practice Noordenveld")
    meeting = factories.meeting(session, edition, on_date=date(2030, 1, 1))
    people.record_attendance(session, meeting, {participant.id: True})
    set_feed_alarm(session, participant, 45)
    sign_in(client, smtp_sink)
    submit(client, deadline_path(member), {"text": "persoonlijk",
                                           "file": (BytesIO(b"%PDF-1 x"), "mijn.pdf")},
           content_type="multipart/form-data")
    stored = Path(app.config["SETTINGS"].var_dir) / session.exec(select(Submission).where(
        Submission.deadline_id == member["deadline"].id)).one().file_path
    assert stored.exists()

    # A reminder to the whole edition: its text shared by all, her name kept in her row.
    werksessie = session.exec(select(Meeting.id).where(Meeting.title == "Werksessie")).one()
    reminder = session.exec(select(PlannedMoment).where(
        PlannedMoment.job_id == f"reminder:session:{werksessie}:P1D")).one()
    session.commit()
    assert process_moment(app, reminder.job_id, now=reminder.due_at) == "sent"
    wrong = submit(client, "/mijn/wissen", {"confirm_email": "iets anders"})
    assert wrong.status_code == 422
    session.expire_all()
    assert session.get(Participant, participant.id).name == "Sanne Bakker"

    done = submit(client, "/mijn/wissen", {"confirm_email": "s.bakker@noordenveld.example"})
    assert "Je account is gewist" in done.get_data(as_text=True)
    session.expire_all()
    erased = session.get(Participant, participant.id)
    assert erased.name == "Verwijderde deelnemer" and "noordenveld" not in erased.email
    assert session.get(Enrollment, session.exec(select(Enrollment.id).where(
        Enrollment.participant_id == participant.id)).one()).status == EnrollmentStatus.WITHDRAWN
    assert [s.text for s in session.exec(select(Submission).where(
        Submission.participant_id == participant.id))] == ["Best practice Noordenveld"]
    assert session.exec(select(Attendance).where(
        Attendance.participant_id == participant.id)).all() == []
    # The feed's own after-commit handler may write a fresh row, but not the erased choice.
    kept = session.get(FeedPreference, participant.id)
    assert kept is None or kept.alarm_minutes != 45
    mails = session.exec(select(OutboxMessage).where(
        OutboxMessage.participant_id == participant.id)).all()
    assert "reminder" in [m.kind for m in mails]
    assert not any("Sanne" in "".join(row_content(session, m, app.config["SETTINGS"]))
                   for m in mails)
    assert not stored.exists()
    assert client.get("/mijn/").status_code == 302  # signed out
    # The old address is unknown now: no sign-in mail.
    count = len(smtp_sink.messages)
    submit(client, "/mijn/inloggen", {"email": "s.bakker@noordenveld.example"})
    time.sleep(0.2)
    assert len(smtp_sink.messages) == count


def feed_path(html: str) -> str:
    import re

    return "/" + re.search(r'value="https?://[^/]+/(feeds/p/[^"]+)"', html).group(1)


def test_personal_feed_link_is_made_and_rotated(session, client, smtp_sink, member):
    sign_in(client, smtp_sink)
    made = submit(client, "/mijn/", action="/mijn/agenda/nieuwe-link", follow_redirects=True)
    first = feed_path(made.get_data(as_text=True))
    feed = client.get(first)
    assert feed.status_code == 200 and b"Werksessie" in feed.data
    # Shown once: a later visit no longer holds the address.
    assert "feeds/p/" not in client.get("/mijn/").get_data(as_text=True)
    rotated = submit(client, "/mijn/", action="/mijn/agenda/nieuwe-link", follow_redirects=True)
    second = feed_path(rotated.get_data(as_text=True))
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_mail_preferences_per_kind(session, client, smtp_sink, member):
    from trajectories.mail.preferences import mail_preferences

    sign_in(client, smtp_sink)
    page = client.get("/mijn/voorkeuren").get_data(as_text=True)
    assert "Herinneringen aan deadlines" in page
    assert "Welkomstmails bij een toelating" in page
    assert "Berichten van de coördinator aan een editie" in page
    submit(client, "/mijn/voorkeuren", {"kind": ["invitation", "reminder", "coaching", "welcome"]})
    prefs = mail_preferences(session, member["participant"])
    assert prefs == {"welcome": True, "invitation": True, "reminder": True, "nudge": False,
                     "coaching": True, "announcement": False, "evaluation": False,
                     "certificate": False, "loan": False}
    data = json.loads(client.get("/mijn/gegevens.json").data)
    assert data["mail_preferences"]["nudge"] is False


def test_my_trajectories_queries_do_not_grow_with_my_editions(app, session, client, smtp_sink,
                                                              member):
    from tests.catalogue.test_public_catalogue import statements

    sign_in(client, smtp_sink)
    before = statements(app, client, "/mijn/")
    for n in range(3):
        edition = open_edition(session)
        people.enroll(session, edition, member["participant"])
        factories.meeting(session, edition, on_date=utcnow().date() + timedelta(days=n + 1))
        deadline = schedule.set_deadline(session, edition, title=f"D{n}", due_date=date(2099, 1, 1))
        people.submit(session, deadline, member["participant"], text="x")
    assert statements(app, client, "/mijn/") == before
