"""The English interface: the language switch shows the English catalogue, Dutch stays the default,
and the catalogue itself compiles with every placeholder kept."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from trajectories.demo.loader import load_demo

PO_FILE = (Path(__file__).resolve().parents[2]
           / "trajectories" / "translations" / "en" / "LC_MESSAGES" / "messages.po")

# %(name)s, %(n)d, {organiser}, and HTML tags: a translation must keep exactly these.
# (Only real tags: a help text may say "Beste <naam>," and translate it.)
HTML_TAGS = "a|abbr|b|br|code|em|i|li|ol|p|span|strong|ul"
PLACEHOLDER = re.compile(rf"%\(\w+\)[sdif]|\{{\w*\}}|</?(?:{HTML_TAGS})\b[^>]*>")


@pytest.fixture(autouse=True, scope="module")
def compiled_catalogue():
    """The app reads the compiled .mo (`make translations`); compile it when the .po is newer,
    so these tests check the catalogue as it is in the tree."""
    mo_file = PO_FILE.with_suffix(".mo")
    if not mo_file.exists() or mo_file.stat().st_mtime < PO_FILE.stat().st_mtime:
        subprocess.run([str(Path(sys.executable).with_name("pybabel")), "-q", "compile",
                        "-d", str(PO_FILE.parents[2])], check=True)


@pytest.fixture
def demo(app):
    list(load_demo(app.extensions["trajectories.db"]))


@pytest.fixture
def english(client):
    response = client.get("/taal/en")
    assert response.status_code == 302
    return client


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _assert_english(html: str, english: list[str], dutch: list[str]) -> None:
    assert '<html lang="en">' in html
    for phrase in english:
        assert phrase in html
    for phrase in dutch:
        assert phrase not in html


def test_catalogue_in_english_after_the_switch(demo, english):
    html = _page(english, "/")
    _assert_english(
        html,
        ["Learning tracks for municipalities", "Search and filter learning tracks",
         "All themes", "Skip to content", "Nederlands"],
        ["Leertrajecten voor gemeenten", "Leertrajecten zoeken en filteren", "Alle thema's",
         "Naar de inhoud"])


def test_track_page_in_english_with_english_dates(demo, english):
    html = _page(english, "/vng/praktijkproef-inclusie/")
    _assert_english(
        html,
        ["For municipalities only.", "All editions in your calendar", "Sessions",
         "Tuesday 13 April 2021, 13:30–15:30", "time to be announced"],
        ["Alleen voor gemeenten.", "Alle edities in je agenda", "dinsdag 13 april 2021",
         "tijd volgt"])


def test_coordinator_login_in_english(demo, english):
    html = _page(english, "/beheer/inloggen")
    _assert_english(html, ["Coordinator login", "Password", "Email address"],
                    ["Inloggen voor coördinatoren", "Wachtwoord", "E-mailadres"])


def test_privacy_page_in_english(english):
    html = _page(english, "/privacy")
    _assert_english(
        html,
        ["Privacy statement", "What we keep and why", "We use no tracking cookies",
         "One-time login links"],
        ["Privacyverklaring", "Wat we bewaren en waarom", "geen trackingcookies",
         "Eenmalige inloglinks"])


def test_dutch_is_the_default_and_the_switch_goes_back(demo, client):
    html = _page(client, "/vng/praktijkproef-inclusie/")
    assert '<html lang="nl">' in html
    assert "Alleen voor gemeenten." in html and "dinsdag 13 april 2021" in html
    assert "For municipalities only." not in html and "English" in html

    client.get("/taal/en")
    assert "For municipalities only." in _page(client, "/vng/praktijkproef-inclusie/")
    client.get("/taal/nl")
    html = _page(client, "/vng/praktijkproef-inclusie/")
    assert "Alleen voor gemeenten." in html and "For municipalities only." not in html


def test_an_unknown_language_keeps_dutch(client):
    client.get("/taal/fr")
    assert "Privacyverklaring" in _page(client, "/privacy")


# --- the catalogue file --------------------------------------------------------------------------


def _catalogue():
    with PO_FILE.open("rb") as f:
        return read_po(f)


def test_catalogue_compiles_without_errors(tmp_path):
    pybabel = Path(sys.executable).with_name("pybabel")
    result = subprocess.run(
        [str(pybabel), "compile", "--statistics", "-l", "en", "-i", str(PO_FILE),
         "-o", str(tmp_path / "messages.mo")],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower()
    assert (tmp_path / "messages.mo").stat().st_size > 0


def test_every_entry_is_translated_and_none_fuzzy():
    catalogue = _catalogue()
    assert not catalogue.fuzzy
    entries = [m for m in catalogue if m.id]
    assert len(entries) > 500
    untranslated = [m.id for m in entries
                    if not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_every_translation_keeps_the_placeholders_and_tags_of_its_source():
    wrong = []
    for message in _catalogue():
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        # English has two plural forms: msgstr[0] goes with msgid, msgstr[1] with msgid_plural.
        for source, target in zip(sources, targets, strict=True):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
                wrong.append((source, target))
            if source.count("%%") != target.count("%%"):
                wrong.append((source, target))
    assert wrong == []


def test_coordinator_registrations_page_in_english(demo, app, client):
    from sqlmodel import select

    from tests.coordinator_helpers import Browser
    from trajectories.catalogue.models import Edition, Organiser, Track
    from trajectories.demo.loader import DEMO_PASSWORD

    with app.extensions["trajectories.db"].session() as s:
        edition_id = s.exec(select(Edition.id).join(Track).join(Organiser)
                           .where(Organiser.slug == "vng")).first()

    browser = Browser(client)
    browser.login("coordinator@vng.example", DEMO_PASSWORD)
    browser.get("/taal/en")
    response = browser.get(f"/beheer/edities/{edition_id}/inschrijvingen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The status filter's labels are the enum's words, translated per request (core/models.py).
    _assert_english(html,
                    ["Registrations", ">waiting list<", ">applied<", ">withdrawn<", "Export as CSV"],
                    ["Inschrijvingen", "wachtlijst", "aangemeld", "ingetrokken", "Exporteren als CSV"])


def test_confirmation_mail_in_the_participants_language(app):
    from types import SimpleNamespace

    from trajectories.mail.render import render_mail

    context = dict(track=SimpleNamespace(title="Ethisch bankieren"),
                   edition=SimpleNamespace(name="2027"), name="Eline", link="https://x.test/b",
                   hours=48)
    with app.test_request_context("/"):
        subject_en, text_en, html_en = render_mail("public_confirm", "en", **context)
        subject_nl, text_nl, _html_nl = render_mail("public_confirm", "nl", **context)
    assert subject_en == "Confirm your registration for Ethisch bankieren"
    assert "Dear Eline," in text_en and "The link works for 48 hours and only once." in text_en
    assert "Confirm registration" in html_en and "Bevestig" not in text_en + html_en
    assert subject_nl == "Bevestig je inschrijving voor Ethisch bankieren"
    assert "Beste Eline," in text_nl


def test_session_reminder_mail_in_english(demo, app):
    from sqlmodel import select

    from trajectories.catalogue.models import Edition, Track
    from trajectories.mail.render import render_mail
    from trajectories.people.models import Participant
    from trajectories.schedule.models import Meeting

    with app.extensions["trajectories.db"].session() as s, app.app_context():
        edition, track = s.exec(select(Edition, Track).join(Track).where(
            Track.slug == "praktijkproef-inclusie", Edition.slug == "2021")).one()
        meeting = s.exec(select(Meeting).where(Meeting.edition_id == edition.id)
                         .order_by(Meeting.on_date)).first()
        participant = s.exec(select(Participant)).first()
        context = dict(meeting=meeting, edition=edition, track=track, participant=participant,
                       materials=[], feed_url="https://x.test/feed.ics",
                       unsubscribe_url="https://x.test/afmelden/t")
        subject, text, html = render_mail("reminder", "en", days=3, **context)
        subject_nl, text_nl, _html = render_mail("reminder", "nl", days=1, **context)
    assert subject == f"In 3 days: {meeting.title}"
    assert f"Dear {participant.name}," in text
    assert "When: Tuesday 13 April 2021, 13:30–15:30" in text
    assert "Stop receiving emails of this kind? https://x.test/afmelden/t" in text
    assert "Your personal calendar" in html and "Wanneer" not in text + html
    assert subject_nl == f"Morgen: {meeting.title}"
    assert "Wanneer: dinsdag 13 april 2021, 13:30–15:30" in text_nl


def test_the_language_choice_survives_signing_in(demo, client):
    from tests.coordinator_helpers import Browser
    from trajectories.demo.loader import DEMO_PASSWORD

    client.get("/taal/en")
    browser = Browser(client)
    browser.login("coordinator@vng.example", DEMO_PASSWORD)
    assert '<html lang="en">' in browser.get("/beheer/").get_data(as_text=True)


def test_outside_a_request_texts_are_dutch(app):
    """The scheduler, the command line and services called from tests render lazy texts with no
    request; the language is then Dutch (a mail names its own with force_locale)."""
    from flask_babel import get_locale, lazy_gettext

    with app.app_context():
        assert str(get_locale()) == "nl"
        assert str(lazy_gettext("Inchecken")) == "Inchecken"
