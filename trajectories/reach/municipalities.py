"""Keeping the reference list of municipalities current: one CSV import per year's mergers.

The file has a row per municipality (new or changed): `code;naam;provincie;vervangt`. `code` is a
CBS code (GM0363, the Netherlands) or a NIS code (11002, Flanders); `vervangt` lists the codes of
the municipalities it replaces (a herindeling), separated by spaces or commas. The import is all
or nothing: every row is checked first, and one bad row (an unknown province, a code twice,
an unknown replaced code) refuses the whole file with each bad row named.

Merged municipalities stay: in the reference with `merged_into`, and as organisations with
`merged_into_id`, so their participants, editions and deliverables count under the new one.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.core import events
from trajectories.core.clock import utcnow
from trajectories.core.reference import ReferenceMunicipality, municipalities, provinces
from trajectories.core.service import service
from trajectories.people import services as people
from trajectories.people.models import Organisation, OrganisationKind
from trajectories.reach.events import MunicipalitiesImported

HEADERS = {"code": "code", "cbs_code": "code", "nis_code": "code", "cbs-code": "code",
           "nis-code": "code", "naam": "naam", "name": "naam", "provincie": "provincie",
           "province": "provincie", "vervangt": "vervangt", "replaces": "vervangt"}
CODE_COUNTRY = ((re.compile(r"^GM\d{4}$"), "NL"), (re.compile(r"^\d{5}$"), "BE"))
MAX_ROWS = 5000


@dataclass
class Row:
    line: int
    code: str
    name: str
    province: str
    country: str
    replaces: tuple[str, ...]


@dataclass
class MunicipalityImport:
    rows: list[Row] = field(default_factory=list)
    #: (line in the file, message); the header is line 1.
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: (new name, [former names]) for every merger.
    merged: list[tuple[str, list[str]]] = field(default_factory=list)


def _country(code: str) -> str | None:
    return next((country for pattern, country in CODE_COUNTRY if pattern.match(code)), None)


def parse(text: str) -> MunicipalityImport:
    """The rows of the file, and every error in it (nothing is written)."""
    result = MunicipalityImport()
    text = (text or "").lstrip("\ufeff")
    if not text.strip():
        result.errors.append((1, str(_l("Het bestand is leeg."))))
        return result
    first = text.splitlines()[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if ";" in first else ",")
    reader.fieldnames = [HEADERS.get((h or "").strip().lower(), "") for h in reader.fieldnames]
    missing = [c for c in ("code", "naam", "provincie") if c not in reader.fieldnames]
    if missing:
        result.errors.append((1, str(_l("De kolommen %(missing)s ontbreken; verwacht: code; naam; "
                                        "provincie; vervangt.", missing=", ".join(missing)))))
        return result
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            result.errors.append((line, str(_l("Hoogstens %(n)s rijen per keer.", n=MAX_ROWS))))
            break
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        code = values.get("code", "").upper()
        row = Row(line, code, values.get("naam", ""), values.get("provincie", ""),
                  _country(code) or "", tuple(c.upper() for c in re.split(r"[\s,|]+",
                                                                          values.get("vervangt", "")) if c))
        problems = _problems(row, seen)
        result.errors += [(line, p) for p in problems]
        seen.setdefault(code, line)
        result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append((1, str(_l("Het bestand heeft geen rijen onder de kopregel."))))
    return result


def _problems(row: Row, seen: dict[str, int]) -> list[str]:
    problems = []
    if not row.country:
        problems.append(str(_l("Code %(code)s is geen CBS-code (GM0363) of NIS-code (11002).",
                               code=row.code or "''")))
    elif row.code in seen:
        problems.append(str(_l("Code %(code)s staat ook op regel %(line)s.", code=row.code,
                               line=seen[row.code])))
    if not row.name:
        problems.append(str(_l("Naam is verplicht.")))
    if row.country and row.province not in provinces()[row.country]:
        problems.append(str(_l("Onbekende provincie %(province)s; %(country)s kent: %(known)s.",
                               province=repr(row.province), country=row.country,
                               known=", ".join(provinces()[row.country]))))
    for old in row.replaces:
        if old == row.code:
            problems.append(str(_l("Een gemeente kan zichzelf niet vervangen (%(code)s).",
                                   code=old)))
        elif _country(old) != row.country and row.country:
            problems.append(str(_l("Vervangen code %(code)s hoort niet bij hetzelfde land.",
                                   code=old)))
    return problems


def _check_replaced(session: Session, result: MunicipalityImport) -> None:
    known = set(session.exec(select(ReferenceMunicipality.code)).all()) or {
        m.code for m in municipalities()}
    in_file = {r.code: r.line for r in result.rows}
    for row in result.rows:
        for old in row.replaces:
            if old in in_file:
                result.errors.append((row.line, str(_l(
                    "Vervangen code %(code)s staat zelf op regel %(line)s.", code=old,
                    line=in_file[old]))))
            elif old not in known:
                result.errors.append((row.line, str(_l("Vervangen code %(code)s is onbekend.",
                                                       code=old))))


@service
def import_municipalities(session: Session, text: str) -> MunicipalityImport:
    """Check the whole file; write nothing if any row is wrong, else update the reference and
    the organisations, merged ones under the municipality that replaces them."""
    result = parse(text)
    if not result.errors:
        _check_replaced(session, result)
    if result.errors:
        result.errors.sort()
        return result
    if session.exec(select(ReferenceMunicipality.code)).first() is None:
        session.add_all(ReferenceMunicipality(code=m.code, name=m.name, province=m.province,
                                              country=m.country) for m in municipalities())
        session.flush()
    now = utcnow()
    merged_codes = []
    for row in result.rows:
        session.merge(ReferenceMunicipality(code=row.code, name=row.name, province=row.province,
                                            country=row.country, merged_into=None,
                                            updated_at=now))
        organisation = _organisation(session, row)
        formers = []
        for old in row.replaces:
            ref = session.get(ReferenceMunicipality, old)
            ref.merged_into, ref.updated_at = row.code, now
            formers.append(ref.name)
            merged_codes.append(f"{row.code}<{old}")
            organisation = _merge_organisation(session, old, row, organisation)
        if formers:
            result.merged.append((row.name, formers))
    session.flush()
    events.record(session, MunicipalitiesImported(rows=len(result.rows),
                                                  merged=tuple(merged_codes)))
    return result


def _organisation(session: Session, row: Row) -> Organisation | None:
    """The row's organisation, its name and province brought up to date (None if nobody from it
    has registered yet)."""
    found = session.exec(select(Organisation).where(Organisation.code == row.code)).first()
    if found is not None:
        found.name, found.province, found.merged_into_id = row.name, row.province, None
        session.add(found)
    return found


def _merge_organisation(session: Session, old_code: str, row: Row,
                        new: Organisation | None) -> Organisation | None:
    old = session.exec(select(Organisation).where(Organisation.code == old_code)).first()
    if old is None:
        return new
    if new is None:
        new = people.create_organisation.__wrapped__(
            session, name=row.name, kind=OrganisationKind.MUNICIPALITY, country=row.country,
            code=row.code, province=row.province)
    for former in session.exec(select(Organisation).where(
            (Organisation.id == old.id) | (Organisation.merged_into_id == old.id))).all():
        former.merged_into_id = new.id
        session.add(former)
    return new
