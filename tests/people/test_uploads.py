"""One upload module for materials and hand-ins: what a participant hands in reaches the
coordinator of that edition (one file, or all of them in a zip that says what is missing), never
another organiser's; files are checked by content and always served as a download."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlmodel import select

from tests.auth import signed_in_participant
from tests.coordinator_helpers import Browser
from tests.public_world import closing_client, submit
from trajectories.people.models import Submission
from trajectories.schedule.models import Material


@pytest.fixture
def app(mail_app):
    return mail_app


def _hand_in(app, session, smtp_sink, participant, deadline, data: dict):
    """The participant, signed in (directly: the sign-in by mail has its own tests), hands in on
    their deadline page."""
    client = closing_client(app, session)
    signed_in_participant(client, participant)
    answer = submit(client, f"/mijn/deadline/{deadline.id}", data,
                    content_type="multipart/form-data")
    return client, answer


def _coordinator(app, session, email):
    browser = Browser(app.test_client(), session)
    browser.sign_in(email)
    return browser


PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40
NAME = "Plan – Ölstraße (v2); één's.pdf"


def test_coordinator_downloads_what_a_participant_handed_in(app, session, smtp_sink,
                                                            coordinator_world):
    world = coordinator_world
    deadline, person = world.deadline_nl, world.participants[0]
    _client, answer = _hand_in(app, session, smtp_sink, person, deadline,
                               {"text": "Ons plan", "file": (io.BytesIO(PDF), NAME)})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    submission = session.exec(select(Submission)).one()
    assert submission.file_path.startswith("uploads/submissions/")
    submission_id, deadline_id, person_id, person_name = \
        submission.id, deadline.id, person.id, person.name

    nl = _coordinator(app, session, "nl@example.org")
    download = nl.get(f"/beheer/inzendingen/{submission_id}/bestand")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    # An ASCII name for old clients, the exact name (RFC 5987) for the others.
    assert 'filename="Plan _ Olstra_e (v2)_ een_s.pdf"; ' in disposition
    assert f"filename*=UTF-8''{quote(NAME, safe='')}" in disposition

    archive = zipfile.ZipFile(io.BytesIO(nl.get(f"/beheer/deadlines/{deadline_id}/alles.zip").data))
    folder = f"{person_name.replace(' ', '-')}-{person_id}"
    assert archive.read(f"{folder}/{NAME}") == PDF
    assert archive.read(f"{folder}/tekst.txt") == b"Ons plan"
    readme = archive.read("LEESMIJ.txt").decode()
    assert NAME in readme and "Alle teksten en bestanden zitten in deze zip." in readme

    # Another organiser's coordinator sees neither the file nor the zip.
    be = _coordinator(app, session, "be@example.org")
    assert be.get(f"/beheer/inzendingen/{submission_id}/bestand").status_code == 404
    assert be.get(f"/beheer/deadlines/{deadline_id}/alles.zip").status_code == 404


def test_zip_says_which_file_could_not_be_included(app, session, smtp_sink, coordinator_world):
    world = coordinator_world
    deadline_id, name = world.deadline_nl.id, world.participants[0].name
    _hand_in(app, session, smtp_sink, world.participants[0], world.deadline_nl,
             {"text": "", "file": (io.BytesIO(PDF), "weg.pdf")})
    submission = session.exec(select(Submission)).one()
    (Path(app.config["SETTINGS"].var_dir) / submission.file_path).unlink()
    submission_id = submission.id
    nl = _coordinator(app, session, "nl@example.org")
    assert nl.get(f"/beheer/inzendingen/{submission_id}/bestand").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(nl.get(f"/beheer/deadlines/{deadline_id}/alles.zip").data))
    readme = archive.read("LEESMIJ.txt").decode()
    assert "NIET OPGENOMEN" in readme and f"{name}: weg.pdf" in readme
    assert archive.namelist() == ["LEESMIJ.txt"]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.mark.parametrize(("name", "content", "accepted"), [
    ("plan.pdf", b"%PDF-1.4 lezen", True),
    ("plan.pdf", b"<html><script>alert(1)</script></html>", False),
    ("plan.docx", DOCX, True),
    ("plan.docx", _zip({"evil.html": b"<html>"}), False),  # a zip, but no Word document
    ("plan.xlsx", DOCX, False),  # a Word document named as a spreadsheet
    ("plan.odt", ODT, True),
    ("plan.ods", ODT, False),
    ("foto.jpg", b"\xff\xd8\xff\xe0" + b"0" * 50, True),
    ("foto.png", b"\xff\xd8\xff\xe0" + b"0" * 50, False),
    ("notitie.txt", "Één regel".encode(), True),
    ("notitie.txt", b"bin\x00ary", False),
    ("pagina.html", b"<html>", False),
])
def test_materials_are_checked_by_content(nl, session, coordinator_world, app, name, content,
                                          accepted):
    url = f"/beheer/sessies/{coordinator_world.meeting_nl.id}/materiaal"
    response = nl.post(url, {"title": "Stuk", "url": "", "upload": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")
    materials = session.exec(select(Material)).all()
    if not accepted:
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "past niet bij" in text or "geen tekstbestand" in text or \
            "Dit soort bestand kan niet" in text
        assert materials == []
        assert not (Path(app.config["SETTINGS"].var_dir) / "uploads").exists()
        return
    assert response.status_code == 302
    download = nl.get(f"/beheer/materiaal/{materials[0].id}")
    assert download.data == content
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
