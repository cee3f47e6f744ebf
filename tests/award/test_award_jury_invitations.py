"""Inviting the jury: a coordinator adds a juror by name and address; a new address gets an
account without a password and a mail with a link that sets one once (and opens the round's
jury page), an existing jury account joins with a sign-in mail, an invited juror can be invited
again (older links die), and bad input changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous.timed import TimestampSigner
from sqlmodel import func, select

from tests.award.world import active_juror, build, new_round
from tests.coordinator_helpers import Browser
from tests.public_world import text_of
from trajectories.accounts import invitations
from trajectories.accounts.models import Coordinator
from trajectories.award import services as award
from trajectories.award.models import AwardJuror
from trajectories.mail.drain import drain
from trajectories.mail.models import OutboxMessage

LINK = re.compile(r"https?://\S+/beheer/welkom/\S+")
NEW_PASSWORD = "mijn-eigen-jury-wachtwoord"
TITLE = "Meest Inspirerende Global Goals Gemeente 2030"


@pytest.fixture
def world(app, session):
    """Built outside the app: the client's requests open their own."""
    return build(session)


def _mails(session, to):
    rows = session.exec(select(OutboxMessage.subject, OutboxMessage.text, OutboxMessage.html)
                        .where(OutboxMessage.to == to).order_by(OutboxMessage.id)).all()
    session.rollback()
    return rows


def _count(session, model) -> int:
    n = session.exec(select(func.count()).select_from(model)).one()
    session.rollback()
    return n


def _coordinator(client, session) -> Browser:
    browser = Browser(client, session)
    browser.sign_in("nl@example.org")
    return browser


def _invite(browser, world, name="Jet Jurylid", email="jet@jury.example"):
    return browser.post(f"/beheer/prijs/{world.round.id}/jury", {"name": name, "email": email})


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _choose(client, session, link, password=NEW_PASSWORD):
    juror = Browser(client, session)
    page = juror.get(_path(link))
    if page.status_code != 200:
        return page
    return juror.post(_path(link), {"password": password, "repeat": password})


def test_an_invited_juror_chooses_a_password_once_and_lands_on_the_rounds_jury_page(
        app, client, session, world):
    browser = _coordinator(client, session)
    response = _invite(browser, world)
    assert response.status_code == 302
    [(subject, text, html)] = _mails(session, "jet@jury.example")
    assert subject == f'Uitnodiging voor de jury van "{TITLE}"'
    assert "Beste Jet Jurylid," in text and "VNG nodigt u uit" in text and TITLE in text
    assert "7 dagen en één keer" in text
    link = LINK.search(text).group(0)
    assert link in html
    page = browser.get(f"/beheer/prijs/{world.round.id}").get_data(as_text=True)
    assert "Jet Jurylid" in page and "uitgenodigd" in page and "Uitnodiging opnieuw sturen" in page
    juror = session.exec(select(Coordinator).where(Coordinator.email == "jet@jury.example")).one()
    assert juror.jury_only and not invitations.has_password(juror)
    session.rollback()

    # No password works before one is chosen.
    other = app.test_client()
    refused = Browser(other, session).login("jet@jury.example", juror.password_hash)
    assert refused.status_code == 400  # the form again, not signed in
    assert "horen niet bij elkaar" in refused.get_data(as_text=True)

    round_id = world.round.id
    juror_client = app.test_client()
    welcome = Browser(juror_client, session).get(_path(link)).get_data(as_text=True)
    assert "Kies uw wachtwoord" in welcome and "Welkom, Jet Jurylid." in welcome
    done = _choose(juror_client, session, link)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/beheer/jury/{round_id}")
    assert Browser(juror_client, session).get(f"/beheer/jury/{round_id}").status_code == 200
    # The same link a second time: spent.
    again = app.test_client().get(_path(link))
    assert again.status_code == 404 and "werkt niet meer" in again.get_data(as_text=True)
    assert _choose(app.test_client(), session, link, "nog-een-ander-wachtwoord").status_code == 404
    # And the password chosen is the one that signs in.
    fresh = Browser(app.test_client(), session)
    assert fresh.login("jet@jury.example", NEW_PASSWORD).status_code == 302

    page = _coordinator(client, session).get(f"/beheer/prijs/{round_id}").get_data(as_text=True)
    assert "actief" in page and "Uitnodiging opnieuw sturen" not in page


def test_an_invited_juror_still_sees_only_their_own_round(app, client, session, world):
    other = new_round(session, world.vvsg, year=2030)
    with app.app_context():
        award.add_juror(session, world.round, email="jet@jury.example", name="Jet")
    round_id, other_id = world.round.id, other.id
    [(_s, text, _h)] = _mails(session, "jet@jury.example")
    juror = Browser(app.test_client(), session)
    assert _choose(juror.client, session, LINK.search(text).group(0)).status_code == 302
    assert juror.get(f"/beheer/jury/{round_id}").status_code == 200
    assert juror.get(f"/beheer/jury/{other_id}").status_code == 404
    assert juror.get("/beheer/").status_code == 403
    assert juror.get(f"/beheer/prijs/{round_id}").status_code == 403


def test_a_too_short_password_is_refused_and_the_link_still_works(app, session, world):
    with app.app_context():
        award.add_juror(session, world.round, email="jet@jury.example", name="Jet")
    [(_s, text, _h)] = _mails(session, "jet@jury.example")
    link = LINK.search(text).group(0)
    short = _choose(app.test_client(), session, link, "kort")
    assert short.status_code == 400 and "minstens 12 tekens" in short.get_data(as_text=True)
    assert _choose(app.test_client(), session, link).status_code == 302


def test_an_expired_invitation_is_refused(app, session, world, monkeypatch):
    with app.app_context():
        juror = award.add_juror(session, world.round, email="jet@jury.example", name="Jet",
                                invite=False)
        real = TimestampSigner.get_timestamp
        eight_days = int(timedelta(days=8).total_seconds())
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda s: real(s) - eight_days)
        token = invitations.make_token(app.config["SECRET_KEY"], juror, world.round.id)
        monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    session.rollback()
    page = app.test_client().get(f"/beheer/welkom/{token}")
    assert page.status_code == 404 and "zeven dagen" in page.get_data(as_text=True)
    assert app.test_client().get("/beheer/welkom/geen-echte-link").status_code == 404


def test_an_existing_jury_account_joins_with_a_sign_in_mail_and_keeps_its_password(
        app, client, session, world):
    last_year = new_round(session, world.vng, year=2029)
    active_juror(session, last_year, email="jet@jury.example", name="Jet")
    accounts_before = _count(session, Coordinator)
    response = _invite(_coordinator(client, session), world, name="Jet (nieuw)")
    assert response.status_code == 302
    assert _count(session, Coordinator) == accounts_before
    [(subject, text, _html)] = _mails(session, "jet@jury.example")
    assert subject == f'U zit ook in de jury van "{TITLE}"'
    assert "/beheer/inloggen" in text and "/beheer/welkom/" not in text
    juror = Browser(app.test_client(), session)
    assert juror.login("jet@jury.example", "een-lang-jury-wachtwoord").status_code == 302
    assert juror.get(f"/beheer/jury/{world.round.id}").status_code == 200
    assert juror.get(f"/beheer/jury/{last_year.id}").status_code == 200


def test_an_invited_account_added_to_another_round_gets_a_new_invitation(app, session, world):
    last_year = new_round(session, world.vng, year=2029)
    with app.app_context():
        award.add_juror(session, last_year, email="jet@jury.example", name="Jet")
        award.add_juror(session, world.round, email="jet@jury.example", name="Jet")
    first, second = _mails(session, "jet@jury.example")
    assert first[0].startswith("Uitnodiging") and second[0].startswith("Uitnodiging")
    done = _choose(app.test_client(), session, LINK.search(second[1]).group(0))
    assert done.headers["Location"].endswith(f"/beheer/jury/{world.round.id}")


def test_resending_an_invitation_makes_earlier_links_useless(app, client, session, world):
    browser = _coordinator(client, session)
    _invite(browser, world)
    [(_s, text, _h)] = _mails(session, "jet@jury.example")
    first = LINK.search(text).group(0)
    juror = session.exec(select(Coordinator).where(Coordinator.email == "jet@jury.example")).one()
    session.rollback()
    resend = f"/beheer/prijs/{world.round.id}/jury/{juror.id}/uitnodiging"
    response = browser.post(resend)
    assert response.status_code == 302
    flashed = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "De uitnodiging is opnieuw verstuurd" in flashed
    _first, (subject, text, _h) = _mails(session, "jet@jury.example")
    assert subject.startswith("Uitnodiging voor de jury")
    second = LINK.search(text).group(0)
    assert second != first
    assert _choose(app.test_client(), session, first).status_code == 404
    assert _choose(app.test_client(), session, second).status_code == 302

    # Once active, there is nothing to resend: a clear message, no mail.
    refused = browser.post(resend)
    assert refused.status_code == 422
    assert "heeft al een wachtwoord gekozen" in refused.get_data(as_text=True)
    assert len(_mails(session, "jet@jury.example")) == 2


def test_resending_to_someone_not_on_this_jury_is_refused(app, client, session, world):
    other = new_round(session, world.vng, year=2029)
    with app.app_context():
        juror = award.add_juror(session, other, email="jet@jury.example", name="Jet")
    session.rollback()
    browser = _coordinator(client, session)
    response = browser.post(f"/beheer/prijs/{world.round.id}/jury/{juror.id}/uitnodiging")
    assert response.status_code == 422
    assert "zit niet in de jury van deze ronde" in response.get_data(as_text=True)
    assert len(_mails(session, "jet@jury.example")) == 1


@pytest.mark.parametrize(("name", "email", "message"), [
    ("", "jet@jury.example", "Naam is verplicht."),
    ("Jet", "geen-adres", "Vul een geldig e-mailadres in"),
    ("Jet", "", "Vul een geldig e-mailadres in"),
    ("Jet", "jury@example.org", "zit al in de jury van deze ronde"),
    ("Jet", "NL@example.org", "Dit adres hoort bij een coördinator"),
])
def test_bad_jury_input_is_refused_with_a_message_and_changes_nothing(
        app, client, session, world, name, email, message):
    active_juror(session, world.round)
    before = (_count(session, Coordinator), _count(session, AwardJuror),
              _count(session, OutboxMessage))
    response = _invite(_coordinator(client, session), world, name=name, email=email)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'value="{email}"' in page  # what was typed stays in the form
    assert (_count(session, Coordinator), _count(session, AwardJuror),
            _count(session, OutboxMessage)) == before


def test_the_invitation_reaches_the_smtp_server_and_its_link_works(
        app, session, db, world, smtp_sink, mail_settings):
    with app.app_context():
        award.add_juror(session, world.round, email="jet@jury.example", name="Jet")
    round_id = world.round.id
    session.rollback()
    drain(db, mail_settings)
    [mail] = smtp_sink.wait_for(1)
    assert mail["To"] == "jet@jury.example"
    assert mail["Subject"] == f'Uitnodiging voor de jury van "{TITLE}"'
    link = LINK.search(text_of(mail)).group(0)
    done = _choose(app.test_client(), session, link)
    assert done.headers["Location"].endswith(f"/beheer/jury/{round_id}")
