"""CSV import of participants (into an edition) and organisations, and CSV export.

Import is all-or-nothing: every row is tried in its own savepoint inside one transaction, so
the preview lists every bad row with the reason the real services give; the transaction is
committed only when no row failed (and it is not a preview). Export is UTF-8 with a BOM and
semicolons (what Excel in a Dutch locale opens directly), with formula injection neutralised.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from trajectories.catalogue.models import Edition
from trajectories.core.errors import InvalidInput
from trajectories.people import services as people
from trajectories.people.models import Organisation, OrganisationKind

PARTICIPANT_COLUMNS = ("naam", "e-mail", "functie", "organisatiecode", "taal")
ORGANISATION_COLUMNS = ("naam", "soort", "land", "code", "provincie")
KINDS = {"gemeente": OrganisationKind.MUNICIPALITY, "provincie": OrganisationKind.PROVINCE,
         "anders": OrganisationKind.OTHER, "municipality": OrganisationKind.MUNICIPALITY,
         "province": OrganisationKind.PROVINCE, "other": OrganisationKind.OTHER}
MAX_ROWS = 5000
#: English column names (those of the English export among them), so that an export imports
#: back whichever language the coordinator uses.
HEADER_ALIASES = {"name": "naam", "email": "e-mail", "job title": "functie", "role": "functie",
                  "organisation code": "organisatiecode", "language": "taal", "type": "soort",
                  "kind": "soort", "country": "land", "province": "provincie"}


@dataclass
class RowError:
    line: int  #: line number in the file (the header is line 1)
    column: str
    message: str


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False


def read_csv(text: str, columns: tuple[str, ...], required: tuple[str, ...]) -> list[dict]:
    """Rows as dicts keyed by lower-case column name; ';' or ',' as separator."""
    text = (text or "").lstrip("\ufeff")
    if not text.strip():
        raise InvalidInput(_l("Het bestand is leeg."), "upload")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    header = [HEADER_ALIASES.get(h, h) for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInput(_l("De kolommen %(missing)s ontbreken; verwacht: %(columns)s.",
                              missing=", ".join(missing), columns="; ".join(columns)), "upload")
    reader.fieldnames = header
    rows = []
    for row in reader:
        rows.append({k: (v or "").strip() for k, v in row.items() if k in columns})
        if len(rows) > MAX_ROWS:
            raise InvalidInput(_l("Hoogstens %(n)s rijen per keer.", n=MAX_ROWS), "upload")
    if not rows:
        raise InvalidInput(_l("Het bestand heeft geen rijen onder de kopregel."), "upload")
    return rows


def _all_or_nothing(session: Session, rows: list[dict], apply_row, dry_run: bool) -> ImportResult:
    result = ImportResult(rows=rows)
    try:
        for line, row in enumerate(rows, start=2):
            try:
                with session.begin_nested():
                    apply_row(row)
            except InvalidInput as exc:
                result.errors.append(RowError(line, exc.field or "", exc.message))
            except IntegrityError:
                result.errors.append(RowError(line, "", str(_l(
                    "Dit botst met gegevens die al bestaan."))))
        if result.errors or dry_run:
            session.rollback()
        else:
            session.commit()
            result.imported = True
    except BaseException:
        session.rollback()
        raise
    return result


def _organisation_for(session: Session, code: str) -> Organisation | None:
    """The organisation with this CBS/NIS code; a known municipality is added on first use."""
    return people.municipality(session, code) if code else None


def import_participants(session: Session, edition: Edition, text: str, *,
                        dry_run: bool) -> ImportResult:
    """Participants (new ones are created, known e-mail addresses reused), each enrolled in
    the edition."""
    rows = read_csv(text, PARTICIPANT_COLUMNS, ("naam", "e-mail"))
    seen: set[str] = set()

    def apply_row(row: dict) -> None:
        email = (row.get("e-mail") or "").strip().lower()
        if email and email in seen:
            raise InvalidInput(_l("Dit e-mailadres staat al eerder in het bestand."), "e-mail")
        seen.add(email)
        organisation = _organisation_for(session, row.get("organisatiecode", ""))
        participant = people.find_participant(session, email)
        if participant is None:
            try:
                participant = people.create_participant.__wrapped__(
                    session, name=row.get("naam"), email=email, role=row.get("functie", ""),
                    organisation_id=organisation.id if organisation else None,
                    language=(row.get("taal") or "nl").lower())
            except InvalidInput as exc:
                raise InvalidInput(exc.message, _COLUMN.get(exc.field, exc.field)) from None
        try:
            people.enroll.__wrapped__(session, edition, participant)
        except InvalidInput as exc:  # e.g. the municipality's maximum in this edition
            raise InvalidInput(exc.message, _COLUMN.get(exc.field, exc.field)) from None

    return _all_or_nothing(session, rows, apply_row, dry_run)


_COLUMN = {"name": "naam", "email": "e-mail", "role": "functie", "language": "taal",
           "organisation_id": "organisatiecode", "organisation": "organisatiecode", "kind": "soort", "country": "land",
           "province": "provincie"}


def import_organisations(session: Session, text: str, *, dry_run: bool) -> ImportResult:
    rows = read_csv(text, ORGANISATION_COLUMNS, ("naam", "soort", "land"))

    def apply_row(row: dict) -> None:
        kind = KINDS.get((row.get("soort") or "").lower())
        if kind is None:
            raise InvalidInput(_l("Soort moet gemeente, provincie of anders zijn."), "soort")
        try:
            people.create_organisation.__wrapped__(
                session, name=row.get("naam"), kind=kind, country=(row.get("land") or "").upper(),
                code=row.get("code") or None, province=row.get("provincie", ""))
        except InvalidInput as exc:
            raise InvalidInput(exc.message, _COLUMN.get(exc.field, exc.field)) from None

    return _all_or_nothing(session, rows, apply_row, dry_run)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell Excel will not run as a formula (OWASP: prefix a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
