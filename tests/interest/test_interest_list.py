"""The interest list per track: join (double opt-in), one mail when an edition opens, leave from
the mail (one-click) or /mijn, expiry after two years; through the test client and a real SMTP
server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests import factories
from tests.auth import signed_in_coordinator
from tests.public_world import closing_client, deliver, submit, text_of
from trajectories.accounts import services as accounts
from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import Organiser
from trajectories.core.clock import utcnow
from trajectories.interest import handlers, queries
from trajectories.interest.models import InterestEntry
from trajectories.mail.models import OutboxMessage
from trajectories.people import privacy
from trajectories.people.models import Participant

CONFIRM_RE = re.compile(r"https?://\S+?/inschrijving/op-de-hoogte\?t=[\w.\-]+")


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def client(app, session):
    return closing_client(app, session)


@pytest.fixture
def track(session):
    vvsg = factories.organiser(session, slug="vvsg", name="VVSG", country="BE")
    return factories.track(session, vvsg, slug="migratie", title="Migratie en ontwikkeling")


def join(client, smtp_sink, *, name="Wout Janssens", email="wout@leuven.example",
         municipality="24062"):
    answer = submit(client, "/vvsg/migratie/", {"name": name, "email": email,
                                                 "municipality": municipality, "language": "nl"},
                    action="/vvsg/migratie/op-de-hoogte")
    return answer


def confirm(client, message):
    link = CONFIRM_RE.search(text_of(message)).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path
    return submit(client, path, {"t": path.split("t=", 1)[1]}, action=path.split("?", 1)[0])


def entries(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(InterestEntry)).one()


def open_now(session, track, slug="2027"):
    """An edition open for registration, made as a coordinator's request makes it (in the app:
    the announcement is rendered with its templates)."""
    now = utcnow()
    with current_test_app().app_context():
        return factories.edition(session, track, slug=slug, name=slug,
                                 registration_opens_at=now - timedelta(hours=1),
                                 registration_closes_at=now + timedelta(days=30))


_APP = {}


def current_test_app():
    return _APP["app"]


@pytest.fixture(autouse=True)
def _remember_app(app):
    _APP["app"] = app


def test_join_confirm_and_one_mail_when_an_edition_opens(session, client, smtp_sink, track):
    answer = join(client, smtp_sink)
    assert answer.status_code == 200
    assert "Kijk in je mailbox" in answer.get_data(as_text=True)
    assert entries(session) == 0  # nothing kept before the link is followed
    [confirmation] = smtp_sink.wait_for(1)
    assert "twee jaar" in text_of(confirmation) or "2 jaar" in text_of(confirmation)
    home = confirm(client, confirmation)
    assert home.status_code == 302 and "/mijn/" in home.location
    assert entries(session) == 1
    assert queries.size(session, track.id) == 1
    assert queries.per_municipality(session, track.id) == [("Leuven", 1)]

    edition = open_now(session, track)
    deliver(client.application)
    with client.application.app_context():
        catalogue.update_edition(session, edition, name="2027", timezone="Europe/Brussels",
                                 registration_opens_at=edition.registration_opens_at,
                                 registration_closes_at=edition.registration_closes_at)
    deliver(client.application)
    announcements = [m for m in smtp_sink.wait_for(2)
                     if "inschrijving voor Migratie" in str(m["Subject"])]
    assert len(announcements) == 1
    message = announcements[0]
    assert "/vvsg/migratie/" in text_of(message)
    assert "Haal je van de lijst: http" in text_of(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/mail/lijst/" in message["List-Unsubscribe"]


def test_an_edition_opening_later_is_announced_when_it_opens(session, client, smtp_sink, track):
    join(client, smtp_sink)
    confirm(client, smtp_sink.wait_for(1)[0])
    now = utcnow()
    with client.application.app_context():
        factories.edition(session, track, slug="later", name="Later",
                          registration_opens_at=now + timedelta(days=3),
                          registration_closes_at=now + timedelta(days=30))
    deliver(client.application)
    assert len(smtp_sink.messages) == 1  # only the confirmation so far
    row = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "interest")).one()
    assert row.next_attempt_at >= now + timedelta(days=3) - timedelta(seconds=1)


def test_leaving_by_one_click_takes_back_and_stops_mail(session, client, smtp_sink, track):
    join(client, smtp_sink)
    confirm(client, smtp_sink.wait_for(1)[0])
    open_now(session, track)
    deliver(client.application)
    message = smtp_sink.wait_for(2)[1]
    link = message["List-Unsubscribe"].strip("<>")
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert "Haal me van de lijst" in client.get(path).get_data(as_text=True)
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 204
    assert entries(session) == 0
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    open_now(session, track, slug="2028")
    deliver(client.application)
    assert len(smtp_sink.messages) == 2


def test_leaving_from_my_page(session, client, smtp_sink, track):
    join(client, smtp_sink)
    confirm(client, smtp_sink.wait_for(1)[0])
    page = client.get("/mijn/").get_data(as_text=True)
    assert "Migratie en ontwikkeling" in page
    answer = submit(client, "/mijn/", action=f"/mijn/lijst/{track.id}/afmelden")
    assert answer.status_code == 302
    assert entries(session) == 0


@pytest.mark.parametrize("field, value, error", [
    ("name", "", "Naam"),
    ("email", "geen-adres", "geldig e-mailadres"),
    ("municipality", "", "Kies je gemeente"),
])
def test_bad_input_is_refused_and_sends_nothing(session, client, smtp_sink, track, field, value,
                                                error):
    answer = join(client, smtp_sink, **{field: value})
    assert answer.status_code == 422
    assert error in answer.get_data(as_text=True)
    deliver(client.application)
    assert smtp_sink.messages == []


def test_a_track_with_open_registration_has_no_form(session, client, smtp_sink, track):
    assert "Houd me op de hoogte" in client.get("/vvsg/migratie/").get_data(as_text=True)
    open_now(session, track)
    page = client.get("/vvsg/migratie/").get_data(as_text=True)
    assert 'action="/vvsg/migratie/op-de-hoogte"' not in page
    assert "schrijf je meteen in" in client.get("/vvsg/migratie/op-de-hoogte").get_data(
        as_text=True)
    answer = submit(client, "/mijn/inloggen", {"name": "Wout", "email": "wout@leuven.example",
                                               "municipality": "24062"},
                    action="/vvsg/migratie/op-de-hoogte")
    assert answer.status_code == 422
    assert "schrijf je meteen in" in answer.get_data(as_text=True)


def test_entries_expire_after_two_years_without_an_edition(session, client, smtp_sink, track):
    join(client, smtp_sink)
    confirm(client, smtp_sink.wait_for(1)[0])
    other = factories.track(session, track_organiser(session, track), slug="kept", title="Kept")
    person = session.exec(select(Participant).where(
        Participant.email == "wout@leuven.example")).one()
    session.add(InterestEntry(track_id=other.id, participant_id=person.id))
    session.commit()
    later = utcnow() + timedelta(days=731)
    factories.edition(session, other, slug="x", name="X",
                      registration_opens_at=later - timedelta(days=10),
                      registration_closes_at=later + timedelta(days=10))
    assert privacy.expire_interest(session, now=utcnow() + timedelta(days=700)) == 0
    assert privacy.expire_interest(session, now=later) == 1
    assert [e.track_id for e in session.exec(select(InterestEntry))] == [other.id]
    session.exec(select(InterestEntry)).one()
    # Without anything left, the person is erased too.
    assert privacy.expire_interest(session, now=later + timedelta(days=800)) == 1
    session.expire_all()
    assert session.get(Participant, person.id).name == privacy.ERASED_NAME


def track_organiser(session, track):
    return session.get(Organiser, track.organiser_id)


def test_export_and_erase_include_the_list(session, client, smtp_sink, track):
    join(client, smtp_sink)
    confirm(client, smtp_sink.wait_for(1)[0])
    exported = client.get("/mijn/gegevens.json").get_json()
    assert exported["interest_lists"][0]["track"] == "Migratie en ontwikkeling"
    assert exported["interest_lists"][0]["municipality"] == "Leuven"
    person = session.exec(select(Participant).where(
        Participant.email == "wout@leuven.example")).one()
    privacy.erase(session, person)
    assert entries(session) == 0


def test_an_announcement_the_handler_missed_is_queued_by_the_upkeep(session, client, smtp_sink,
                                                                   track, db):
    join(client, smtp_sink)
    confirm(client, smtp_sink.wait_for(1)[0])
    now = utcnow()
    # Outside the app (a process that died before its handler ran): nothing queued yet.
    factories.edition(session, track, slug="2029", name="2029",
                      registration_opens_at=now - timedelta(hours=1),
                      registration_closes_at=now + timedelta(days=30))
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "interest")).all() == []
    session.close()
    handlers.maintain(client.application, client.application.extensions["trajectories.db"])
    handlers.maintain(client.application, client.application.extensions["trajectories.db"])
    deliver(client.application)
    assert len([m for m in smtp_sink.wait_for(2) if "is open" in str(m["Subject"])]) == 1


def test_the_coordinator_sees_the_list_per_track_and_municipality(session, client, track):
    accounts.create_coordinator(session, email="hanne@vvsg.example", name="Hanne",
                                password="een-lang-wachtwoord-2026",
                                organiser=track_organiser(session, track))
    leuven = factories.municipality(session, name="Leuven", code="24062")
    genk = factories.municipality(session, name="Genk", code="71016")
    for place in [leuven, leuven, genk]:
        person = factories.participant(session, organisation_id=place.id)
        session.add(InterestEntry(track_id=track.id, participant_id=person.id,
                                  organisation_id=place.id))
    session.commit()
    session.close()
    signed_in_coordinator(client, "hanne@vvsg.example")
    assert "3 personen op de interesselijst" in client.get("/beheer/trajecten").get_data(
        as_text=True)
    page = client.get(f"/beheer/trajecten/{track.id}").get_data(as_text=True)
    assert "3 personen willen bericht" in page
    assert re.search(r"Leuven</td><td>2<", page) and re.search(r"Genk</td><td>1<", page)
