"""Uploaded files (session materials): a size and type limit, stored below the var directory
under a random name, served only through a coordinator view."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {".pdf", ".pptx", ".docx", ".xlsx", ".odt", ".odp", ".ods", ".png", ".jpg", ".jpeg",
           ".txt"}


def var_dir() -> Path:
    return Path(current_app.config["SETTINGS"].var_dir)


def save(storage, folder: str, field: str = "upload") -> str:
    """Save an uploaded file; returns its path relative to the var directory."""
    suffix = Path(storage.filename or "").suffix.lower()
    if suffix not in ALLOWED:
        raise InvalidInput(_l("Dit soort bestand kan niet: kies pdf, Word, Excel, PowerPoint, "
                              "OpenDocument, png, jpg of txt."), field)
    data = storage.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidInput(_l("Het bestand is te groot (hoogstens 10 MB)."), field)
    if not data:
        raise InvalidInput(_l("Het bestand is leeg."), field)
    relative = Path("uploads") / folder / f"{secrets.token_hex(16)}{suffix}"
    target = var_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return str(relative)


def resolve(relative: str) -> Path | None:
    """The absolute path of a stored file, refusing anything outside the uploads folder."""
    root = (var_dir() / "uploads").resolve()
    path = (var_dir() / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None
