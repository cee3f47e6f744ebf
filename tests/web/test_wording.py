"""Words a person notices: "1 inschrijving", not "1 inschrijvingen"; the cancel page tells what
really happens; an edition called "Tweede editie" is not "editie Tweede editie"; the mail about
a moved session says from which time to which."""

from __future__ import annotations

from datetime import date, time

import pytest

from tests import factories
from tests.people.test_coordinator_roster import _enrollment_ids
from tests.public_world import open_edition, text_of
from tests.scheduler.test_scheduler import fire, moment
from trajectories.mail.drain import drain
from trajectories.people import services as people
from trajectories.schedule import services as schedule


@pytest.fixture
def app(mail_app):
    return mail_app


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_count_of_one_takes_the_singular(nl, session, coordinator_world):
    edition_id = coordinator_world.edition_nl.id
    url = f"/beheer/edities/{edition_id}/inschrijvingen"
    # One waitlisted participant waits for a decision.
    dashboard = nl.get("/beheer/").get_data(as_text=True)
    assert "1 inschrijving wacht op een besluit" in dashboard
    assert "aanmelding of wachtende" not in dashboard
    page = nl.post(url, {"action": "withdraw",
                         "selected": _enrollment_ids(session, edition_id, "Deelnemer 0")},
                   follow_redirects=True).get_data(as_text=True)
    assert "1 inschrijving bijgewerkt." in page
    nl.get("/taal/en?next=/beheer/")
    page = nl.post(url, {"action": "withdraw",
                         "selected": _enrollment_ids(session, edition_id, "Deelnemer 1")},
                   follow_redirects=True).get_data(as_text=True)
    assert "1 registration updated." in page


def test_cancel_page_says_the_session_stays_as_cancelled(nl, coordinator_world):
    page = nl.get(f"/beheer/sessies/{coordinator_world.meeting_nl.id}/annuleren")
    text = _flat(page.get_data(as_text=True))
    assert "blijft de sessie staan als geannuleerd" in text
    assert "verdwijnt" not in text


def test_an_edition_is_named_once(client, session):
    vng = factories.organiser(session, slug="vng", name="VNG")
    track = factories.track(session, vng, slug="inclusie", title="Praktijkproef inclusie")
    open_edition(session, trk=track, slug="tweede-editie", name="Tweede editie")
    open_edition(session, trk=track, slug="2030", name="2030")
    session.close()
    track_page = _flat(client.get("/vng/inclusie/").get_data(as_text=True))
    assert "Inschrijven voor Tweede editie" in track_page
    assert "Inschrijven voor editie 2030" in track_page
    form = _flat(client.get("/vng/inclusie/tweede-editie/inschrijven").get_data(as_text=True))
    assert "Inschrijven voor Praktijkproef inclusie, Tweede editie" in form
    assert "editie Tweede editie" not in form + track_page


def test_update_mail_says_from_which_time_to_which(app, session, db, smtp_sink, mail_settings):
    edition = factories.edition(session)
    anna = factories.participant(session, name="Anna de Vries", email="anna@gemeente.example")
    bert = factories.participant(session, name="Bert Jansen", email="bert@gemeente.example",
                                 language="en")
    for person in (anna, bert):
        people.enroll(session, edition, person)
    meeting = factories.meeting(session, edition, title="Werksessie")  # Sat 13 April 2030
    invite = moment(session, f"invite:session:{meeting.id}")
    fire(app, invite.job_id, invite.due_at)
    for day in (14, 15):  # two quick moves: one mail, from what they were told
        schedule.reschedule_meeting(session, meeting, on_date=date(2030, 4, day),
                                    start=time(10), end=time(12))
    update = moment(session, f"update:session:{meeting.id}")
    assert fire(app, update.job_id, update.due_at) == "sent"
    drain(db, mail_settings)
    smtp_sink.wait_for(4)
    [dutch] = [m for m in smtp_sink.to("anna@gemeente.example") if "Gewijzigd" in m["Subject"]]
    assert ('De sessie "Werksessie" is verplaatst van zaterdag 13 april 2030, 13:30–15:30 '
            'naar maandag 15 april 2030, 10:00–12:00.') in _flat(text_of(dutch))
    [english] = [m for m in smtp_sink.to("bert@gemeente.example") if m["Subject"] != dutch["Subject"]
                 and "Werksessie" in m["Subject"] and "METHOD:REQUEST" in m.as_string()
                 and "moved" in text_of(m)]
    assert ('The session "Werksessie" has moved from Saturday 13 April 2030, 13:30–15:30 '
            'to Monday 15 April 2030, 10:00–12:00.') in _flat(text_of(english))


def test_mails_name_the_product_not_the_code_name(app, session, db, smtp_sink, mail_settings,
                                                  coordinator_world, client):
    from tests.coordinator_helpers import Browser

    browser = Browser(client, session)
    browser.get("/beheer/wachtwoord")
    browser.post("/beheer/wachtwoord", {"email": "nl@example.org"})
    drain(db, mail_settings)
    [mail] = smtp_sink.wait_for(1)
    assert "trajectories" not in text_of(mail).replace("/", " ").split()
    assert "nieuw wachtwoord voor Leertrajecten" in _flat(text_of(mail))
