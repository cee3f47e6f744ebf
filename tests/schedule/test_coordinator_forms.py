"""Every coordinator form: good input changes things, bad input gets a Dutch message beside
its field and changes nothing; copying an edition shifts sessions DST-correctly."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlmodel import select

from tests import factories
from tests.coordinator_helpers import Browser
from trajectories.catalogue.models import Edition, Track
from trajectories.core.clock import to_local
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Deadline, Material, Meeting


def _text(response) -> str:
    return response.get_data(as_text=True)


def _error_beside(html: str, field_id: str, message: str) -> None:
    """The message is in the error element that the field points to with aria-describedby."""
    assert f'id="{field_id}-error"' in html
    error_block = html.split(f'id="{field_id}-error"', 1)[1].split("</div>", 1)[0]
    assert message in error_block
    field_tag = html.split(f'id="{field_id}"', 1)[0].rsplit("<", 1)[1] + \
        html.split(f'id="{field_id}"', 1)[1].split(">", 1)[0]
    assert f"{field_id}-error" in field_tag and 'aria-invalid="true"' in field_tag


TRACK = dict(slug="nieuw-traject", title="Nieuw traject", summary="", goals="",
             target_group="", theme="", contact_name="", contact_email="", sdgs=["5", "11"])


def test_create_track_with_global_goals(nl, session, coordinator_world):
    response = nl.post("/beheer/trajecten/nieuw", TRACK)
    assert response.status_code == 302
    track = session.exec(select(Track).where(Track.slug == "nieuw-traject")).one()
    assert track.sdgs == [5, 11] and track.organiser_id == coordinator_world.nl.id
    page = _text(nl.get(f"/beheer/trajecten/{track.id}"))
    assert 'class="sdg sdg-5"' in page and "Gendergelijkheid" in page


@pytest.mark.parametrize("change, field, message", [
    ({"title": ""}, "title", "Dit veld is verplicht."),
    ({"slug": "Met Spaties"}, "slug", "Gebruik voor de korte naam alleen kleine letters"),
    ({"slug": "inclusie"}, "slug", "Deze organisator heeft al een leertraject met deze korte naam."),
    ({"contact_email": "geen-adres"}, "contact_email", "Vul een geldig e-mailadres in"),
    ({"sdgs": ["18"]}, "sdgs", "Kies Global Goals van 1 tot en met 17."),
])
def test_bad_track_input_is_refused_in_dutch(nl, session, coordinator_world, change, field, message):
    before = len(list(session.exec(select(Track))))
    response = nl.post("/beheer/trajecten/nieuw", {**TRACK, **change})
    assert response.status_code == 400
    html = _text(response)
    assert message in html
    if field != "sdgs":
        _error_beside(html, field, message)
    assert len(list(session.exec(select(Track)))) == before


def test_sdg_colours_use_dark_text_where_white_fails_contrast(client):
    css = _text(client.get("/static/sdg.css"))
    assert ".sdg-2 { background: #DDA63A; color: #1a1a1a; }" in css  # 2.19:1 with white
    assert ".sdg-1 { background: #E5243B; color: #ffffff; }" in css  # 4.52:1 with white


EDITION = dict(name="2031", slug="2031", timezone="Europe/Amsterdam", capacity="20",
               registration_opens_at="2031-01-05T09:00", registration_closes_at="2031-02-01T17:00",
               eligibility="municipalities", coordinator_email="")


def test_create_edition_stores_the_window_in_utc(nl, session, coordinator_world):
    response = nl.post(f"/beheer/trajecten/{coordinator_world.track_nl.id}/edities/nieuw",
                       {**EDITION, "requires_approval": "y"})
    assert response.status_code == 302
    edition = session.exec(select(Edition).where(Edition.slug == "2031")).one()
    assert edition.capacity == 20 and edition.requires_approval
    assert edition.registration_opens_at.hour == 8  # 09:00 in Amsterdam in winter (UTC+1)


@pytest.mark.parametrize("change, field, message", [
    ({"name": ""}, "name", "Dit veld is verplicht."),
    ({"capacity": "-1"}, "capacity", "Het aantal plaatsen kan niet negatief zijn."),
    ({"registration_closes_at": "2031-01-01T09:00"}, "registration_closes_at",
     "De inschrijving moet sluiten na de opening."),
    ({"registration_opens_at": "morgen"}, "registration_opens_at",
     "Vul een geldige datum en tijd in."),
    ({"registration_opens_at": "2031-03-30T02:30"}, "registration_opens_at",
     "Dit tijdstip bestaat niet door de overgang naar zomertijd."),
    ({"coordinator_email": "x@"}, "coordinator_email", "Vul een geldig e-mailadres in"),
])
def test_bad_edition_input_is_refused_in_dutch(nl, session, coordinator_world, change, field, message):
    before = len(list(session.exec(select(Edition))))
    response = nl.post(f"/beheer/trajecten/{coordinator_world.track_nl.id}/edities/nieuw",
                       {**EDITION, **change})
    assert response.status_code == 400
    _error_beside(_text(response), field, message)
    assert len(list(session.exec(select(Edition)))) == before


def test_copy_edition_shifts_sessions_keeping_local_time_across_dst(nl, session, coordinator_world):
    edition = factories.edition(session, coordinator_world.track_nl, slug="winter", name="Winter",
                              timezone="Europe/Amsterdam")
    # 13:30 in January is 12:30 UTC; in the copy in July it must be 13:30 local = 11:30 UTC.
    first = factories.meeting(session, edition, on_date=date(2030, 1, 15), title="Start")
    factories.meeting(session, edition, on_date=date(2030, 2, 12), title="Tweede", start=None,
                      end=None)
    schedule.add_material(session, first, title="Slides", url="https://example.org/s.pdf")
    schedule.set_deadline(session, edition, title="Plan", due_date=date(2030, 3, 1),
                          due_time=time(17, 0))
    response = nl.post(f"/beheer/edities/{edition.id}/kopie",
                       {"name": "Zomer", "slug": "zomer", "first_date": "2030-07-16"})
    assert response.status_code == 302
    copy = session.exec(select(Edition).where(Edition.slug == "zomer")).one()
    meetings = list(session.exec(select(Meeting).where(Meeting.edition_id == copy.id)
                                 .order_by(Meeting.on_date)))
    assert [m.on_date for m in meetings] == [date(2030, 7, 16), date(2030, 8, 13)]
    assert to_local(meetings[0].starts_at, "Europe/Amsterdam").time() == time(13, 30)
    assert meetings[0].starts_at.replace(tzinfo=None) == datetime(2030, 7, 16, 11, 30)
    assert meetings[1].starts_at is None  # still "time to be announced"
    assert meetings[0].uid != first.uid
    deadline = session.exec(select(Deadline).where(Deadline.edition_id == copy.id)).one()
    assert deadline.due_date == date(2030, 8, 30)  # 182 days later, like the sessions
    assert to_local(deadline.due_at, "Europe/Amsterdam").time() == time(17, 0)
    assert session.exec(select(Material).where(Material.meeting_id == meetings[0].id)).one().url


def test_copy_edition_with_a_taken_slug_changes_nothing(nl, session, coordinator_world):
    before = len(list(session.exec(select(Meeting))))
    response = nl.post(f"/beheer/edities/{coordinator_world.edition_nl.id}/kopie",
                       {"name": "Nog eens", "slug": "2030", "first_date": "2031-04-12"})
    assert response.status_code == 400
    _error_beside(_text(response), "slug",
                  "Dit leertraject heeft al een editie met deze korte naam.")
    assert len(list(session.exec(select(Meeting)))) == before


MEETING = dict(title="Werksessie", kind="session", mode="online", location="",
               online_url="", description="", coaching_notes="", on_date="2030-10-29",
               start="13:30", end="15:30")


def test_plan_a_session(nl, session, coordinator_world):
    response = nl.post(f"/beheer/edities/{coordinator_world.edition_nl.id}/sessies/nieuw", MEETING)
    assert response.status_code == 302
    meeting = session.exec(select(Meeting).where(Meeting.title == "Werksessie")).one()
    assert to_local(meeting.starts_at, "Europe/Amsterdam").time() == time(13, 30)


@pytest.mark.parametrize("change, field, message", [
    ({"title": ""}, "title", "Dit veld is verplicht."),
    ({"on_date": "31-02-2030"}, "on_date", "Vul een geldige datum in."),
    ({"end": "12:00"}, "end", "De eindtijd moet na de begintijd liggen."),
    ({"end": ""}, "end", "Vul zowel een begin- als een eindtijd in, of laat beide leeg."),
    ({"on_date": "2030-03-31", "start": "02:30", "end": "03:30"}, "start",
     "Dit tijdstip bestaat niet door de overgang naar zomertijd."),
    ({"online_url": "javascript:alert(1)"}, "online_url", "moet een webadres zijn"),
    ({"start": "25:00"}, "start", "Vul een geldige tijd in"),
])
def test_bad_session_input_is_refused_in_dutch(nl, session, coordinator_world, change, field, message):
    before = len(list(session.exec(select(Meeting))))
    response = nl.post(f"/beheer/edities/{coordinator_world.edition_nl.id}/sessies/nieuw",
                       {**MEETING, **change})
    assert response.status_code == 400
    _error_beside(_text(response), field, message)
    assert len(list(session.exec(select(Meeting)))) == before


def test_reschedule_raises_sequence_and_bad_time_changes_nothing(nl, session, coordinator_world):
    url = f"/beheer/sessies/{coordinator_world.meeting_nl.id}/verplaatsen"
    response = nl.post(url, {"on_date": "2030-04-20", "start": "15:00", "end": "14:00"})
    assert response.status_code == 400
    session.refresh(coordinator_world.meeting_nl)
    assert coordinator_world.meeting_nl.on_date == date(2030, 4, 13) and coordinator_world.meeting_nl.sequence == 0
    assert nl.post(url, {"on_date": "2030-04-20", "start": "10:00", "end": "12:00"}).status_code == 302
    session.refresh(coordinator_world.meeting_nl)
    assert coordinator_world.meeting_nl.on_date == date(2030, 4, 20) and coordinator_world.meeting_nl.sequence == 1


def test_edit_session_content(nl, session, coordinator_world):
    response = nl.post(f"/beheer/sessies/{coordinator_world.meeting_nl.id}/bewerken",
                       {**MEETING, "title": "Nieuwe titel"})
    assert response.status_code == 302
    session.refresh(coordinator_world.meeting_nl)
    assert coordinator_world.meeting_nl.title == "Nieuwe titel"


def test_cancel_confirmation_says_who_gets_mail(nl, session, coordinator_world):
    url = f"/beheer/sessies/{coordinator_world.meeting_nl.id}/annuleren"
    page = _text(nl.get(url))
    assert "3 toegelaten deelnemers krijgen een annuleringsmail" in page
    assert "Deelnemer 0" in page and "Deelnemer 3" not in page  # the fourth is waitlisted
    session.refresh(coordinator_world.meeting_nl)
    assert coordinator_world.meeting_nl.status == "scheduled"  # looking is not cancelling
    assert nl.post(url).status_code == 302
    session.refresh(coordinator_world.meeting_nl)
    assert coordinator_world.meeting_nl.status == "cancelled"


def test_material_link_and_upload_with_limits(nl, session, coordinator_world, app):
    url = f"/beheer/sessies/{coordinator_world.meeting_nl.id}/materiaal"
    assert nl.post(url, {"title": "Slides", "url": "https://example.org/slides"}).status_code == 302
    response = nl.post(url, {"title": "Virus", "url": "",
                             "upload": (io.BytesIO(b"MZ..."), "tool.exe")},
                       content_type="multipart/form-data")
    assert response.status_code == 400
    _error_beside(_text(response), "upload", "Dit soort bestand kan niet")
    big = io.BytesIO(b"%PDF" + b"0" * (10 * 1024 * 1024))
    response = nl.post(url, {"title": "Groot", "url": "", "upload": (big, "groot.pdf")},
                       content_type="multipart/form-data")
    assert response.status_code == 400
    _error_beside(_text(response), "upload", "Het bestand is te groot: hoogstens 10 MB.")
    # Checked by content, not by name: a web page named .pdf is refused, nothing is kept.
    response = nl.post(url, {"title": "Nep", "url": "",
                             "upload": (io.BytesIO(b"<html><script>x()</script>"), "nep.pdf")},
                       content_type="multipart/form-data")
    assert response.status_code == 400
    _error_beside(_text(response), "upload", "De inhoud van het bestand past niet bij .pdf.")
    assert not (Path(app.config["SETTINGS"].var_dir) / "uploads").exists()
    response = nl.post(url, {"title": "Reader", "url": "",
                             "upload": (io.BytesIO(b"%PDF-1.4 lezen"), "reader.pdf")},
                       content_type="multipart/form-data")
    assert response.status_code == 302
    materials = list(session.exec(select(Material).where(
        Material.meeting_id == coordinator_world.meeting_nl.id).order_by(Material.id)))
    assert [m.title for m in materials] == ["Slides", "Reader"]
    download = nl.get(f"/beheer/materiaal/{materials[1].id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 lezen"


def test_deadline_create_bad_date_and_remove(nl, session, coordinator_world):
    url = f"/beheer/edities/{coordinator_world.edition_nl.id}/deadlines/nieuw"
    data = {"title": "Eindverslag", "description": "", "due_date": "2030-13-01", "due_time": "",
            "delivered_by": "participant"}
    response = nl.post(url, data)
    assert response.status_code == 400
    _error_beside(_text(response), "due_date", "Vul een geldige datum in.")
    assert nl.post(url, {**data, "due_date": "2030-11-01"}).status_code == 302
    deadline = session.exec(select(Deadline).where(Deadline.title == "Eindverslag")).one()
    assert nl.post(f"/beheer/deadlines/{deadline.id}/verwijderen").status_code == 302
    assert session.exec(select(Deadline).where(Deadline.title == "Eindverslag")).first() is None


def test_hostile_text_comes_back_escaped(nl, session, coordinator_world):
    hostile = '<script>alert("x")</script>\'"'
    nl.post(f"/beheer/trajecten/{coordinator_world.track_nl.id}/bewerken",
            {**TRACK, "title": hostile, "summary": hostile})
    nl.post(f"/beheer/edities/{coordinator_world.edition_nl.id}/sessies/nieuw", {**MEETING, "title": hostile})
    for url in (f"/beheer/trajecten/{coordinator_world.track_nl.id}", "/beheer/trajecten",
                f"/beheer/edities/{coordinator_world.edition_nl.id}",
                f"/beheer/edities/{coordinator_world.edition_nl.id}/kalender?maand=2030-10"):
        html = _text(nl.get(url))
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, url


def test_month_calendar_shows_sessions_and_deadlines(nl, coordinator_world):
    html = _text(nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}/kalender?maand=2030-04"))
    assert "april 2030" in html
    assert "Kennismaking" in html and "13:30" in html
    assert html.count('<tr>') == 1 + 5  # header and five weeks (April 2030 starts on a Monday)
    html = _text(nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}/kalender?maand=2030-06"))
    assert "Plan" in html


def test_dates_in_dutch_and_flemish_short_format(client, session, coordinator_world):
    """nl-NL writes 03-04-2030, nl-BE 3/04/2030 (the Flemish organiser's coordinator)."""
    window = {"registration_opens_at": "2030-04-03T09:00",
              "registration_closes_at": "2030-04-20T17:00", "eligibility": "anyone",
              "capacity": "", "coordinator_email": "", "name": "2030"}
    nl = Browser(client, session)
    nl.sign_in("nl@example.org")
    assert nl.post(f"/beheer/edities/{coordinator_world.edition_nl.id}/bewerken",
                   {**window, "timezone": "Europe/Amsterdam"}).status_code == 302
    html = _text(nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}"))
    assert "03-04-2030 09:00" in html and "zaterdag 13 april 2030" in html
    be = Browser(client.application.test_client(), session)
    be.sign_in("be@example.org")
    assert be.post(f"/beheer/edities/{coordinator_world.edition_be.id}/bewerken",
                   {**window, "timezone": "Europe/Brussels"}).status_code == 302
    html = _text(be.get(f"/beheer/edities/{coordinator_world.edition_be.id}"))
    assert "3/04/2030 09:00" in html
