"""Enrollments, CSV import/export, attendance, deliverables and the audit log in the browser-free
test client."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import event
from sqlmodel import select

from tests import factories
from tests.coordinator_helpers import Browser
from trajectories.core.models import EventRecord
from trajectories.people import services as people
from trajectories.people.imports import safe_cell
from trajectories.people.models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Organisation,
    Participant,
)


def _statuses(session, edition_id) -> dict[str, str]:
    return {p.name: e.status for e, p in session.exec(
        select(Enrollment, Participant).join(Participant)
        .where(Enrollment.edition_id == edition_id))}


def _enrollment_ids(session, edition_id, *names) -> list[str]:
    return [str(e.id) for e, p in session.exec(
        select(Enrollment, Participant).join(Participant)
        .where(Enrollment.edition_id == edition_id, Participant.name.in_(names)))]


def test_bulk_withdraw_promotes_and_admitting_beyond_capacity_changes_nothing(nl, session, coordinator_world):
    edition_id = coordinator_world.edition_nl.id
    url = f"/beheer/edities/{edition_id}/inschrijvingen"
    assert _statuses(session, edition_id)["Deelnemer 3"] == EnrollmentStatus.WAITLISTED
    # Waitlist two admitted ones: two places free up; then admit three (only two fit): refused.
    nl.post(url, {"action": "waitlist",
                  "selected": _enrollment_ids(session, edition_id, "Deelnemer 0", "Deelnemer 1")})
    before = _statuses(session, edition_id)
    response = nl.post(url, {"action": "admit", "selected": _enrollment_ids(
        session, edition_id, "Deelnemer 0", "Deelnemer 1", "Deelnemer 3")},
        follow_redirects=True)
    assert "Er zijn nog 2 plaatsen vrij; u koos 3 inschrijvingen om toe te laten." in \
        response.get_data(as_text=True)
    assert _statuses(session, edition_id) == before
    # Fill the free places from the waiting list, first come first served.
    nl.post(url, {"action": "promote"})
    after = _statuses(session, edition_id)
    assert sum(1 for s in after.values() if s == EnrollmentStatus.ADMITTED) == 3
    assert after["Deelnemer 0"] == EnrollmentStatus.ADMITTED
    assert after["Deelnemer 1"] == EnrollmentStatus.ADMITTED


def test_enrollments_filter_by_status_and_name(nl, coordinator_world):
    url = f"/beheer/edities/{coordinator_world.edition_nl.id}/inschrijvingen"
    html = nl.get(url + "?status=waitlisted").get_data(as_text=True)
    assert "Deelnemer 3" in html and "Deelnemer 0" not in html
    html = nl.get(url + "?zoek=deelnemer 1").get_data(as_text=True)
    assert "Deelnemer 1" in html and "Deelnemer 2" not in html


def test_bulk_action_on_another_editions_enrollment_is_refused(nl, session, coordinator_world):
    other = factories.edition(session, coordinator_world.track_nl)
    person = factories.participant(session)
    enrollment = people.enroll(session, other, person)
    response = nl.post(f"/beheer/edities/{coordinator_world.edition_nl.id}/inschrijvingen",
                       {"action": "withdraw", "selected": [str(enrollment.id)]},
                       follow_redirects=True)
    assert "Kies alleen inschrijvingen van deze editie." in response.get_data(as_text=True)
    session.refresh(enrollment)
    assert enrollment.status == EnrollmentStatus.ADMITTED


GOOD_CSV = ("naam;e-mail;functie;organisatiecode;taal\n"
            "Anna de Boer;anna@noordenveld.example;Beleidsadviseur;GM1699;nl\n"
            "Bert Smit;bert@zwolle.example;;GM0193;\n")


def _upload(text: str, name="deelnemers.csv"):
    return (io.BytesIO(text.encode("utf-8-sig")), name)


def test_import_previews_every_bad_row_and_imports_nothing(nl, session, coordinator_world):
    edition = factories.edition(session, coordinator_world.track_nl, slug="import", name="Import")
    url = f"/beheer/edities/{edition.id}/importeren"
    bad = GOOD_CSV + ("Zonder adres;;;;\n"
                      "Anna dubbel;anna@noordenveld.example;;;\n"
                      "Onbekend;o@x.example;;GM9999;\n"
                      "Fout adres;geen-email;;;\n")
    response = nl.post(url, {"upload": _upload(bad)}, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "4 rijen zijn niet goed; er is niets geïmporteerd." in html
    assert "Regel 4 (e-mail): Vul een geldig e-mailadres in" in html
    assert "Regel 5 (e-mail): Dit e-mailadres staat al eerder in het bestand." in html
    assert "Regel 6 (organisatiecode): Onbekende organisatiecode GM9999." in html
    assert "Regel 7 (e-mail): Vul een geldig e-mailadres in" in html
    assert session.exec(select(Participant).where(
        Participant.email == "anna@noordenveld.example")).first() is None
    assert session.exec(select(Organisation).where(Organisation.code == "GM1699")).first() is None
    assert _statuses(session, edition.id) == {}


def test_import_of_good_rows_previews_then_imports_on_confirmation(nl, session, coordinator_world):
    edition = factories.edition(session, coordinator_world.track_nl, slug="import", name="Import")
    url = f"/beheer/edities/{edition.id}/importeren"
    response = nl.post(url, {"upload": _upload(GOOD_CSV)}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Alle 2 rijen zijn goed." in html
    assert _statuses(session, edition.id) == {}  # a preview changes nothing
    response = nl.post(url, {"content": GOOD_CSV})
    assert response.status_code == 302
    assert _statuses(session, edition.id) == {"Anna de Boer": "admitted",
                                             "Bert Smit": "admitted"}
    anna = session.exec(select(Participant).where(Participant.name == "Anna de Boer")).one()
    assert session.get(Organisation, anna.organisation_id).name == "Noordenveld"


def test_organisations_import_all_or_nothing(nl, session, coordinator_world):
    url = "/beheer/organisaties/importeren"
    csv_text = ("naam,soort,land,code,provincie\n"
                "Provincie Drenthe,provincie,NL,PV22,Drenthe\n"
                "Stichting X,stichting,NL,,\n")
    response = nl.post(url, {"upload": _upload(csv_text)}, content_type="multipart/form-data")
    assert "Regel 3 (soort): Soort moet gemeente, provincie of anders zijn." in \
        response.get_data(as_text=True)
    assert session.exec(select(Organisation).where(Organisation.code == "PV22")).first() is None
    fixed = csv_text.replace("stichting", "anders")
    assert nl.post(url, {"upload": _upload(fixed)}, content_type="multipart/form-data") \
        .status_code == 200
    assert nl.post(url, {"content": fixed}).status_code == 302
    assert session.exec(select(Organisation).where(Organisation.code == "PV22")).one()


def test_an_english_export_imports_back_into_another_edition(nl, session, coordinator_world):
    nl.get("/taal/en")
    exported = nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}/export.csv").data.decode("utf-8-sig")
    assert exported.startswith("name;email;job title;organisation;organisation code;")
    edition = factories.edition(session, coordinator_world.track_nl, slug="copy", name="Copy")
    url = f"/beheer/edities/{edition.id}/importeren"

    assert nl.post(url, {"upload": _upload(exported)},
                   content_type="multipart/form-data").status_code == 200
    assert nl.post(url, {"content": exported}).status_code == 302

    original = _statuses(session, coordinator_world.edition_nl.id)
    assert set(_statuses(session, edition.id)) == set(original) and original


def test_import_with_missing_columns_says_which(nl, coordinator_world):
    response = nl.post(f"/beheer/edities/{coordinator_world.edition_nl.id}/importeren",
                       {"upload": _upload("naam;telefoon\nA;06\n")},
                       content_type="multipart/form-data")
    assert response.status_code == 400
    assert "De kolommen e-mail ontbreken" in response.get_data(as_text=True)


def test_export_is_utf8_with_bom_and_neutralises_formulas(nl, session, coordinator_world):
    people.update_participant(session, coordinator_world.participants[0], name="=HYPERLINK(\"x\")",
                              role="@SUM(A1)")
    people.update_participant(session, coordinator_world.participants[1], name="Zoë Ündén", role="-1+2")
    response = nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}/export.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "naam;e-mail;functie;organisatie;organisatiecode;status;ingeschreven op"
    assert "'=HYPERLINK(\"\"x\"\")" in text and "'@SUM(A1)" in text
    assert "Zoë Ündén" in text and "'-1+2" in text
    assert safe_cell("+31 6 1234") == "'+31 6 1234" and safe_cell("Gewoon") == "Gewoon"


def test_attendance_is_recorded_and_shown(nl, session, coordinator_world):
    p0, p1 = coordinator_world.participants[:2]
    url = f"/beheer/sessies/{coordinator_world.meeting_nl.id}/aanwezigheid"
    assert nl.post(url, {"present": [str(p0.id)]}).status_code == 302
    rows = {a.participant_id: a.present for a in session.exec(select(Attendance))}
    assert rows[p0.id] is True and rows[p1.id] is False
    html = nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}").get_data(as_text=True)
    assert "Aanwezig: 1 van 3" in html


def test_deliverables_read_and_download_all(nl, session, coordinator_world):
    p0, p1 = coordinator_world.participants[:2]
    sub = people.submit(session, coordinator_world.deadline_nl, p0, text="Ons plan <b>vet</b>")
    html = nl.get(f"/beheer/deadlines/{coordinator_world.deadline_nl.id}").get_data(as_text=True)
    assert "1 van 3 deelnemers ingeleverd" in html and "nog niet" in html
    html = nl.get(f"/beheer/inzendingen/{sub.id}").get_data(as_text=True)
    assert "Ons plan &lt;b&gt;vet&lt;/b&gt;" in html
    response = nl.get(f"/beheer/deadlines/{coordinator_world.deadline_nl.id}/alles.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    [text] = [n for n in archive.namelist() if n.endswith("/tekst.txt")]
    assert archive.read(text).decode() == "Ons plan <b>vet</b>"
    assert sorted(archive.namelist()) == sorted([text, "LEESMIJ.txt"])


def test_audit_log_names_the_coordinator_and_hides_other_organisers(client, nl, session, coordinator_world):
    nl.post(f"/beheer/sessies/{coordinator_world.meeting_nl.id}/annuleren")
    record = session.exec(select(EventRecord).where(
        EventRecord.name == "MeetingCancelled")).one()
    assert record.actor.startswith("coordinator:")
    html = nl.get("/beheer/logboek").get_data(as_text=True)
    assert "Sessie geannuleerd: <a" in html and "Kennismaking</a>" in html
    assert "Coördinator NL" in html
    be = Browser(client.application.test_client(), session)
    be.sign_in("be@example.org")
    html = be.get("/beheer/logboek").get_data(as_text=True)
    assert "Kennismaking" not in html and "Sessie gepland: <a" in html and "Werkkledij</a>" in html


def _count_statements(app, fetch) -> int:
    engine = app.extensions["trajectories.db"].engine
    count = [0]

    def before(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        assert fetch().status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return count[0]


def test_list_pages_issue_the_same_queries_for_few_and_many(app, nl, session, coordinator_world):
    small = factories.edition(session, coordinator_world.track_nl)
    large = factories.edition(session, coordinator_world.track_nl)
    from trajectories.schedule import services as schedule

    dl_small = schedule.set_deadline(session, small, title="D", due_date=coordinator_world.deadline_nl.due_date)
    dl_large = schedule.set_deadline(session, large, title="D", due_date=coordinator_world.deadline_nl.due_date)
    for edition, n, deadline in ((small, 2, dl_small), (large, 40, dl_large)):
        for _ in range(n):
            person = factories.participant(session)
            people.enroll(session, edition, person)
            people.submit(session, deadline, person, text="klaar")
    for page in ("/beheer/edities/{c}/inschrijvingen", "/beheer/deadlines/{d}",
                 "/beheer/edities/{c}"):
        few = _count_statements(app, lambda p=page: nl.get(p.format(c=small.id, d=dl_small.id)))
        many = _count_statements(app, lambda p=page: nl.get(p.format(c=large.id, d=dl_large.id)))
        assert few == many, page


def test_organisation_deliverable_counts_each_organisation_once(session, coordinator_world):
    from trajectories.schedule import services as schedule
    from trajectories.schedule.models import DeliveredBy
    from trajectories.schedule.queries import deadline_completion

    town = factories.municipality(session, name="Zwolle", code="GM0193")
    p0, p1, p2 = coordinator_world.participants[:3]
    for p in (p0, p1):
        people.update_participant(session, p, organisation_id=town.id)
    deadline = schedule.set_deadline(session, coordinator_world.edition_nl, title="Gemeentetekst",
                                     due_date=coordinator_world.deadline_nl.due_date,
                                     delivered_by=DeliveredBy.ORGANISATION)
    people.submit(session, deadline, p0, text="Zwolle levert")
    people.submit(session, coordinator_world.deadline_nl, p0, text="ik")
    result = deadline_completion(session, [deadline, coordinator_world.deadline_nl])
    assert result[deadline.id] == (1, 2)  # Zwolle (p0, p1) delivered; p2 (no organisation) not
    assert result[coordinator_world.deadline_nl.id] == (1, 3)


def test_two_coordinators_admitting_the_last_place_at_once_admit_one(client, session, coordinator_world):
    import threading

    edition_id = coordinator_world.edition_nl.id
    first = session.exec(select(Enrollment).where(
        Enrollment.participant_id == coordinator_world.participants[0].id)).one()
    people.waitlist(session, first)  # two admitted, two waiting, one place free
    waiting = _enrollment_ids(session, edition_id, "Deelnemer 0", "Deelnemer 3")
    session.rollback()  # end the read: on SQLite it holds the write lock
    browsers = []
    for _ in waiting:
        browser = Browser(client.application.test_client())
        browser.sign_in("nl@example.org")
        browsers.append(browser)
    barrier = threading.Barrier(len(browsers))
    pages = {}

    def admit(browser, enrollment_id):
        barrier.wait()
        pages[enrollment_id] = browser.post(
            f"/beheer/edities/{edition_id}/inschrijvingen",
            {"action": "admit", "selected": [enrollment_id]}, follow_redirects=True
        ).get_data(as_text=True)

    threads = [threading.Thread(target=admit, args=pair) for pair in zip(browsers, waiting, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = _statuses(session, edition_id)
    assert sorted(statuses[name] for name in ("Deelnemer 0", "Deelnemer 3")) == \
        ["admitted", "waitlisted"]
    assert sum(1 for s in statuses.values() if s == "admitted") == 3
    assert sum("Er zijn nog 0 plaatsen vrij" in page for page in pages.values()) == 1


def test_import_events_reach_handlers_only_when_committed(nl, session, coordinator_world):
    from trajectories.core import events
    from trajectories.people.events import EnrollmentAdmitted

    seen = []

    def handler(event, _db):
        seen.append(event.participant_id)

    before = events.subscriptions()
    events.connect({**before, EnrollmentAdmitted: (*before[EnrollmentAdmitted], handler)})
    try:
        edition = factories.edition(session, coordinator_world.track_nl, slug="import", name="Import")
        url = f"/beheer/edities/{edition.id}/importeren"
        nl.post(url, {"upload": _upload(GOOD_CSV)}, content_type="multipart/form-data")
        assert seen == []  # the check ran every row in a savepoint and rolled back
        nl.post(url, {"content": GOOD_CSV})
        assert len(seen) == 2
    finally:
        events.connect(before)
