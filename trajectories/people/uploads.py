"""Uploaded files — session materials and what participants hand in — in one place.

- **One storage root**: `TRAJECTORIES_VAR_DIR/uploads/<folder>/<random><ext>`; the database keeps
  the path relative to the var directory (`uploads/materials/…`, `uploads/submissions/…`).
  Hand-ins stored before this module existed live under `var/submissions/`; they are still read
  (`LEGACY_ROOTS`) and backed up, never written.
- **One content check** (`check`): the extension must be one we take and the bytes must be that
  kind of file — PDF header, PNG/JPEG signature, an OOXML zip with its main part, an ODF zip with
  its `mimetype`, UTF-8 text — so HTML named `.pdf` is refused. Done with the standard library:
  `filetype`/`puremagic` guess the kind from the first bytes only, while opening the zip checks
  that a `.docx` really is a Word document and not any zip.
- **One way to serve** (`send`): always an attachment, `X-Content-Type-Options: nosniff`, the
  type fixed by the extension, the name as a safe ASCII `filename` plus RFC 5987 `filename*`.
- **Files with their service**: `hand_in` and `add_material` keep a file only when the service
  takes what it belongs to, so no view writes or removes files; `submissions_zip` packs a
  deadline's hand-ins; `csv_text` reads a CSV file for an import.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import current_app, send_file
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from trajectories.core.clock import to_local
from trajectories.core.errors import InvalidInput
from trajectories.people import queries, services
from trajectories.schedule import services as schedule

MAX_BYTES = 10 * 1024 * 1024
ROOT = "uploads"
#: Folders below the var directory that hold stored files: the root, and where hand-ins went
#: before there was one root (read only).
LEGACY_ROOTS = ("submissions",)
STORAGE_ROOTS = (ROOT, *LEGACY_ROOTS)

_OOXML = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml",
          ".pptx": "ppt/presentation.xml"}
_ODF = {".odt": "application/vnd.oasis.opendocument.text",
        ".ods": "application/vnd.oasis.opendocument.spreadsheet",
        ".odp": "application/vnd.oasis.opendocument.presentation"}
#: What may be uploaded: extension -> the type it is served with.
MIMETYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    **_ODF,
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".txt": "text/plain; charset=utf-8",
}
ACCEPT = ",".join(MIMETYPES)  # for <input type="file" accept=...>


@dataclass(frozen=True)
class Upload:
    content: bytes
    extension: str
    name: str  # the name the person gave it, cleaned


def clean_name(name: str, fallback: str = "bestand") -> str:
    """The last part of a client-given file name, without control characters, at most 200."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:200] or fallback


def _content_matches(content: bytes, extension: str) -> bool:
    if extension == ".pdf":
        return content.startswith(b"%PDF-")
    if extension == ".png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return content.startswith(b"\xff\xd8\xff")
    if extension in _OOXML or extension in _ODF:
        if not content.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
                if extension in _OOXML:
                    return "[Content_Types].xml" in names and _OOXML[extension] in names
                return ("mimetype" in names
                        and archive.read("mimetype").strip() == _ODF[extension].encode())
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            return False
    return False


def check(storage, field: str) -> Upload | None:
    """The checked content of an uploaded file (a werkzeug FileStorage), None when no file was
    chosen; a Dutch `InvalidInput` on `field` when it cannot be taken."""
    if storage is None or not storage.filename:
        return None
    name = clean_name(storage.filename)
    extension = Path(name).suffix.lower()
    if extension not in MIMETYPES:
        raise InvalidInput(_("Dit soort bestand kan niet. Kies een PDF, Word-, Excel-, "
                             "PowerPoint- of OpenDocument-bestand, een afbeelding (PNG, JPG) "
                             "of een tekstbestand."), field)
    content = storage.stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("Het bestand is te groot: hoogstens %(mb)s MB.",
                             mb=MAX_BYTES // (1024 * 1024)), field)
    if not content:
        raise InvalidInput(_("Het bestand is leeg."), field)
    if extension == ".txt":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(_("Dit is geen tekstbestand (UTF-8)."), field) from None
        if b"\x00" in content:
            raise InvalidInput(_("Dit is geen tekstbestand (UTF-8)."), field)
    elif not _content_matches(content, extension):
        raise InvalidInput(_("De inhoud van het bestand past niet bij %(ext)s.", ext=extension),
                           field)
    return Upload(content, extension, name)


#: The largest CSV file an import takes.
CSV_MAX_BYTES = 5 * 1024 * 1024


def csv_text(storage, field: str) -> str | None:
    """The text of an uploaded CSV file (UTF-8, or the cp1252 of Excel's "CSV" on Windows), None
    when no file was chosen; a Dutch `InvalidInput` on `field` when it cannot be read."""
    if storage is None or not storage.filename:
        return None
    raw = storage.stream.read(CSV_MAX_BYTES + 1)
    if len(raw) > CSV_MAX_BYTES:
        raise InvalidInput(_("Het bestand is te groot (hoogstens 5 MB)."), field)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise InvalidInput(_("Sla het bestand op als CSV (UTF-8)."), field) from None


# --- storage ---------------------------------------------------------------------------------------


def var_dir() -> Path:
    return Path(current_app.config["SETTINGS"].var_dir)


def store(upload: Upload, folder: str, base: Path | None = None) -> str:
    """Write a checked upload under the storage root (temporary file, then rename: a reader never
    sees half a file); returns its path relative to the var directory."""
    base = base or var_dir()
    relative = Path(ROOT) / folder / f"{secrets.token_hex(16)}{upload.extension}"
    target = base / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(upload.content)
    os.replace(partial, target)
    return relative.as_posix()


def resolve(relative: str, base: Path | None = None) -> Path | None:
    """The absolute path of a stored file, None when absent or outside the storage roots."""
    if not relative:
        return None
    base = (base or var_dir()).resolve()
    path = (base / relative).resolve()
    if not any(path.is_relative_to(base / root) for root in STORAGE_ROOTS):
        return None
    return path if path.is_file() else None


def remove(relative: str, base: Path | None = None) -> None:
    path = resolve(relative, base)
    if path is not None:
        path.unlink(missing_ok=True)


def stored_files(base: Path) -> list[str]:
    """Every stored file (paths relative to the var directory), sorted."""
    found = []
    for root in STORAGE_ROOTS:
        folder = base / root
        if folder.is_dir():
            found += [p.relative_to(base).as_posix() for p in folder.rglob("*")
                      if p.is_file() and not p.name.endswith(".part")]
    return sorted(found)


# --- serving ---------------------------------------------------------------------------------------


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII `filename` any client reads and, for other names, the exact
    name as RFC 5987 `filename*`."""
    name = clean_name(name)
    stem, suffix = os.path.splitext(name)
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", stem)
                    if not unicodedata.combining(ch))  # Ö -> O
    plain = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", plain).strip(" ._") or "bestand"
    plain += re.sub(r"[^A-Za-z0-9.]+", "", suffix)
    value = f'attachment; filename="{plain}"'
    if plain != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def send(path: Path, download_name: str):
    """A stored file as a download, never shown inline."""
    extension = path.suffix.lower()
    response = send_file(path, mimetype=MIMETYPES.get(extension, "application/octet-stream"),
                         conditional=True)
    response.headers["Content-Disposition"] = content_disposition(download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def send_stored(relative: str | None, name: Callable[[Path], str]):
    """The stored file at `relative` as a download named `name(path)`; 404 when there is none
    (no file, or gone from the server)."""
    path = resolve(relative) if relative else None
    if path is None:
        raise NotFound()
    return send(path, name(path))


# --- hand-ins and materials with their file --------------------------------------------------------
def hand_in(session, deadline, participant, *, text: str, storage):
    """Hand in for a deadline (`people.services.submit`) with the text and the uploaded file, if
    any (else the file handed in before stays). The file is kept only when the hand-in is taken:
    a refused one leaves nothing on disk, and a file replaced by a new one is removed."""
    previous = queries.submission_of(session, deadline.id, participant.id)
    # Read before submitting: `submit` changes this same row.
    old_path, old_name = (previous.file_path, previous.file_name) if previous else ("", "")
    written = ""
    try:
        upload = check(storage, "file")
        file_path, file_name = old_path, old_name
        if upload is not None:
            written = store(upload, f"submissions/{deadline.id}")
            file_path, file_name = written, upload.name
        saved = services.submit(session, deadline, participant, text=text,
                                file_path=file_path, file_name=file_name)
    except InvalidInput:
        remove(written)
        raise
    if old_path and old_path != saved.file_path:
        remove(old_path)
    return saved


def add_material(session, meeting, *, title: str, url: str, storage):
    """Add a material to a session (`schedule.services.add_material`): a link or an uploaded
    file, not both. Nothing of the file is kept when the material is refused."""
    written = ""
    try:
        upload = check(storage, "upload")
        if upload and url:
            raise InvalidInput(_("Geef een link of een bestand, niet allebei."), "url")
        if not upload and not (url or "").strip():
            raise InvalidInput(_("Geef een link of kies een bestand."), "url")
        written = store(upload, "materials") if upload else ""
        return schedule.add_material(session, meeting, title=title, url=url or "",
                                     file_path=written)
    except InvalidInput:
        remove(written)
        raise


def submissions_zip(title: str, handed_in, zone_name: str, base: Path | None = None):
    """Every hand-in of a deadline (`handed_in`: (submission, participant) pairs) in one zip,
    as a temporary file to send: per participant a folder with the text as tekst.txt and the
    handed-in file, and LEESMIJ.txt listing what is in it and what could not be included (a file
    missing on the server)."""
    index, missing = [], []
    buffer = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (the caller sends and closes it)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sub, participant in handed_in:
            folder = f"{safe_name(participant.name)}-{participant.id}"
            parts = []
            if sub.text:
                archive.writestr(f"{folder}/tekst.txt", sub.text)
                parts.append("tekst.txt")
            if sub.file_path:
                path = resolve(sub.file_path, base)
                name = clean_name(sub.file_name or "", f"bestand{Path(sub.file_path).suffix}")
                if name == "tekst.txt":
                    name = f"bestand-{name}"
                if path is None:
                    missing.append(f"- {participant.name}: {name}")
                else:
                    archive.write(path, f"{folder}/{name}")
                    parts.append(name)
            moment = to_local(sub.submitted_at, zone_name).strftime("%Y-%m-%d %H:%M")
            late = f" ({_('te laat')})" if sub.late else ""
            index.append(f"{participant.name} — {folder}/: {', '.join(parts) or '-'}; "
                         f"{_('ingeleverd')} {moment}{late}")
        lines = [title, "", *index]
        if missing:
            lines += ["", _("NIET OPGENOMEN: deze bestanden ontbreken op de server."), *missing]
        else:
            lines += ["", _("Alle teksten en bestanden zitten in deze zip.")]
        archive.writestr(_("LEESMIJ.txt"), "\r\n".join(lines) + "\r\n")
    buffer.seek(0)
    return buffer


def safe_name(value: str) -> str:
    """Letters, digits, - and _ only (for names of folders and downloads)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in value).strip("-") or "x"
