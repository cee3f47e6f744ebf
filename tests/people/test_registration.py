"""Registration with double opt-in, through the Flask test client and a real SMTP server."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func
from sqlmodel import select

from tests import factories
from tests.public_world import (
    closing_client,
    follow_link,
    open_edition,
    register_form,
    submit,
    text_of,
)
from trajectories.catalogue.models import Eligibility
from trajectories.core.clock import utcnow
from trajectories.people import services as people
from trajectories.people.models import Enrollment, EnrollmentStatus, Organisation, Participant


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def client(app, session):
    return closing_client(app, session)


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def register_path(session, edition) -> str:
    from trajectories.catalogue.models import Organiser, Track

    track = session.get(Track, edition.track_id)
    organiser = session.get(Organiser, track.organiser_id)
    return f"/{organiser.slug}/{track.slug}/{edition.slug}/inschrijven"


def test_register_confirm_admits_and_signs_in(session, client, smtp_sink):
    edition = open_edition(session)
    path = register_path(session, edition)
    page = client.get(path)
    assert page.status_code == 200
    assert ">Noordenveld</option>" in page.get_data(as_text=True)

    answer = submit(client, path, register_form())
    assert answer.status_code == 200
    assert "Kijk in je mailbox" in answer.get_data(as_text=True)
    # Nothing counts (or is stored) before the address is confirmed.
    assert count(session, Participant) == 0
    [confirm_mail] = smtp_sink.wait_for(1)
    assert confirm_mail["To"] == "s.bakker@noordenveld.example"
    assert "Bevestig je inschrijving" in confirm_mail["Subject"]

    landed = follow_link(client, confirm_mail)
    assert landed.status_code == 302 and "/mijn/" in landed.headers["Location"]
    home = client.get(landed.headers["Location"]).get_data(as_text=True)
    assert "Mijn leertrajecten" in home and "Sanne Bakker" in home
    assert "toegelaten" in home

    enrollment = session.exec(select(Enrollment)).one()
    assert enrollment.status == EnrollmentStatus.ADMITTED
    participant = session.get(Participant, enrollment.participant_id)
    organisation = session.get(Organisation, participant.organisation_id)
    assert (organisation.name, organisation.code, organisation.province) == \
        ("Noordenveld", "GM1699", "Drenthe")
    outcome = smtp_sink.wait_for(2)[1]
    assert outcome["Subject"].startswith("Je bent toegelaten")


def test_registering_twice_gives_one_enrollment_and_a_fresh_link(session, client, smtp_sink):
    edition = open_edition(session)
    path = register_path(session, edition)
    first = submit(client, path, register_form()).get_data(as_text=True)
    second = submit(client, path, register_form(email=" S.Bakker@Noordenveld.example ")) \
        .get_data(as_text=True)
    assert "Kijk in je mailbox" in first and "Kijk in je mailbox" in second
    mail_1, mail_2 = smtp_sink.wait_for(2)
    assert text_of(mail_1) != text_of(mail_2)  # a fresh link each time
    follow_link(client, mail_1)
    again = follow_link(client, mail_2)
    assert again.status_code == 302
    assert count(session, Enrollment) == 1
    assert count(session, Participant) == 1
    # One admission, one mail.
    smtp_sink.wait_for(4, timeout=3)
    admitted = [m for m in smtp_sink.messages if m["Subject"].startswith("Je bent toegelaten")]
    assert len(admitted) == 1


def test_full_edition_waitlists_with_its_own_mail(session, client, smtp_sink):
    edition = open_edition(session, capacity=1)
    people.enroll(session, edition, factories.participant(session))
    path = register_path(session, edition)
    assert "wachtlijst" in client.get(path).get_data(as_text=True)
    submit(client, path, register_form())
    follow_link(client, smtp_sink.wait_for(1)[0])
    outcome = smtp_sink.wait_for(2)[1]
    assert outcome["Subject"].startswith("Je staat op de wachtlijst")
    assert "op plaats 1" in text_of(outcome)
    assert session.exec(select(Enrollment).where(Enrollment.edition_id == edition.id)
                        .order_by(Enrollment.id)).all()[-1].status == EnrollmentStatus.WAITLISTED


def test_edition_with_approval_says_awaiting_approval(session, client, smtp_sink):
    edition = open_edition(session, requires_approval=True)
    submit(client, register_path(session, edition), register_form())
    follow_link(client, smtp_sink.wait_for(1)[0])
    assert smtp_sink.wait_for(2)[1]["Subject"].startswith("We hebben je inschrijving")
    assert session.exec(select(Enrollment)).one().status == EnrollmentStatus.APPLIED


def test_other_body_registers_for_an_open_edition(session, client, smtp_sink):
    edition = open_edition(session)
    submit(client, register_path(session, edition),
           register_form(organisation="other", other_name="Provincie Drenthe",
                         other_kind="province"))
    follow_link(client, smtp_sink.wait_for(1)[0])
    organisation = session.exec(select(Organisation)).one()
    assert (organisation.name, organisation.kind, organisation.code) == \
        ("Provincie Drenthe", "province", None)


@pytest.mark.parametrize(("form", "message"), [
    (dict(email="geen-adres"), "Vul een geldig e-mailadres in"),
    (dict(name=" "), "Naam is verplicht"),
    (dict(organisation="GM9999"), "Kies je gemeente uit de lijst"),
    (dict(organisation="other", other_name=""), "Naam van je organisatie is verplicht"),
])
def test_bad_form_input_gets_a_dutch_message_and_sends_nothing(session, client, smtp_sink,
                                                                form, message):
    edition = open_edition(session)
    answer = submit(client, register_path(session, edition), register_form(**form))
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    time.sleep(0.2)
    assert smtp_sink.messages == []
    assert count(session, Participant) == 0


def test_ineligible_body_is_refused_clearly(session, client, smtp_sink):
    edition = open_edition(session, eligibility=Eligibility.MUNICIPALITIES)
    answer = submit(client, register_path(session, edition),
                    register_form(organisation="other", other_name="Adviesbureau X"))
    assert answer.status_code == 422
    assert "Deze editie is alleen voor gemeenten" in answer.get_data(as_text=True)
    time.sleep(0.2)
    assert smtp_sink.messages == []


def test_closed_registration_is_refused(session, client, smtp_sink):
    now = utcnow()
    edition = factories.edition(session, registration_opens_at=now - timedelta(days=10),
                              registration_closes_at=now - timedelta(days=1))
    path = register_path(session, edition)
    page = client.get(path).get_data(as_text=True)
    assert "De inschrijving voor deze editie is gesloten" in page
    assert 'name="csrf_token"' not in page  # no form to fill in
    token = client.get("/mijn/inloggen").get_data(as_text=True).split(
        'name="csrf_token" value="')[1].split('"')[0]
    answer = client.post(path, data={"csrf_token": token, **register_form()})
    assert answer.status_code == 422
    assert "gesloten" in answer.get_data(as_text=True)
    time.sleep(0.2)
    assert smtp_sink.messages == []


def test_registration_closed_between_mail_and_confirmation(session, client, smtp_sink):
    edition = open_edition(session)
    submit(client, register_path(session, edition), register_form())
    mail = smtp_sink.wait_for(1)[0]
    edition.registration_closes_at = utcnow() - timedelta(seconds=1)
    session.add(edition)
    session.commit()
    answer = follow_link(client, mail)
    assert answer.status_code == 400
    assert "gesloten" in answer.get_data(as_text=True)
    assert count(session, Participant) == 0


def test_tampered_expired_and_reused_links_are_refused(app, session, client, smtp_sink):
    edition = open_edition(session)
    submit(client, register_path(session, edition), register_form())
    mail = smtp_sink.wait_for(1)[0]
    from tests.public_world import link_in, token_of

    path = link_in(mail)
    token = token_of(path)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    answer = submit(client, path, {"t": tampered}, action="/inschrijving/bevestigen")
    assert answer.status_code == 400 and "ongeldig" in answer.get_data(as_text=True)

    class SignedThreeDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - 73 * 3600)

    expired = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="trajectories.registration-confirm",
        signer=SignedThreeDaysAgo).dumps({"c": edition.id, **_payload(register_form()),
                                          "j": "0" * 32})
    answer = submit(client, path, {"t": expired}, action="/inschrijving/bevestigen")
    assert answer.status_code == 400 and "verlopen" in answer.get_data(as_text=True)
    assert count(session, Participant) == 0

    assert follow_link(client, mail).status_code == 302
    reused = follow_link(client, mail)
    assert reused.status_code == 400 and "al gebruikt" in reused.get_data(as_text=True)
    assert count(session, Enrollment) == 1


def _payload(form: dict) -> dict:
    return {"n": form["name"], "e": form["email"], "r": form["role"], "o": form["organisation"],
            "on": "", "ok": "", "l": "nl"}


def test_honeypot_answers_kindly_and_sends_nothing(session, client, smtp_sink):
    edition = open_edition(session)
    answer = submit(client, register_path(session, edition),
                    register_form(website="http://spam.example"))
    assert answer.status_code == 200 and "Kijk in je mailbox" in answer.get_data(as_text=True)
    time.sleep(0.2)
    assert smtp_sink.messages == []


def test_rate_limit_per_address(session, client, smtp_sink):
    edition = open_edition(session)
    path = register_path(session, edition)
    codes = [submit(client, path, register_form()).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    refused = submit(client, path, register_form())
    assert "te vaak" in refused.get_data(as_text=True)
    # Another address from the same computer still gets through.
    assert submit(client, path, register_form(email="ander@noordenveld.example")).status_code == 200
