"""Checking an example's fields as typed (the coordinator's form and the public proposal form
share them): every field's error at once, in Dutch."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.core import service as base
from trajectories.core.clock import utcnow
from trajectories.core.errors import FieldChecks, InvalidInput
from trajectories.core.reference import current_by_code
from trajectories.people import services as people
from trajectories.people.models import Organisation

MAX_LINKS = 10
FIRST_YEAR = 1990


@dataclass(frozen=True)
class ExampleFields:
    """An example's content, checked."""

    municipality: str  #: CBS/NIS code
    title: str
    summary: str
    what_was_done: str
    sdgs: list[int]
    theme: str
    contact_name: str
    contact_email: str
    contact_consent: bool
    links: list[str]
    year: int | None

    def values(self) -> dict:
        return {"title": self.title, "summary": self.summary,
                "what_was_done": self.what_was_done, "sdgs": self.sdgs, "theme": self.theme,
                "contact_name": self.contact_name, "contact_email": self.contact_email,
                "contact_consent": self.contact_consent, "links": self.links, "year": self.year}


def _links(value) -> list[str]:
    lines = value if isinstance(value, list) else str(value or "").splitlines()
    found = [line.strip() for line in lines if line and line.strip()]
    if len(found) > MAX_LINKS:
        raise InvalidInput(_l("Hoogstens %(n)s links.", n=MAX_LINKS), "links")
    return [base.url(line, "links", _l("Elke link")) for line in found]


def _year(value) -> int | None:
    last = utcnow().year + 1
    message = _l("Vul een jaar in tussen %(first)s en %(last)s.", first=FIRST_YEAR, last=last)
    year = base.whole_number(value, "year", message)
    if year is not None and not FIRST_YEAR <= year <= last:
        raise InvalidInput(message, "year")
    return year


def _municipality(session: Session, value) -> str:
    code = str(value or "").strip().upper()
    known = session.exec(select(Organisation.id).where(Organisation.code == code)).first()
    if not code or (code not in current_by_code(session) and known is None):
        raise InvalidInput(_l("Kies de gemeente uit de lijst."), "municipality")
    return code


def check(session: Session, data: dict, *, contact_required: bool = False) -> ExampleFields:
    """The form's fields checked; one InvalidInput naming every wrong field."""
    checks = FieldChecks()
    municipality = checks.run(_municipality, session, data.get("municipality"))
    title = checks.run(base.text, data.get("title"), "title", _l("Titel"), max_length=200)
    summary = checks.run(base.text, data.get("summary"), "summary", _l("Korte beschrijving"),
                         max_length=600, multiline=True)
    done = checks.run(base.text, data.get("what_was_done"), "what_was_done",
                      _l("Wat is er gedaan"), max_length=10000, multiline=True)
    sdgs = checks.run(base.sdg_numbers, data.get("sdgs")) or []
    theme = checks.run(base.text, data.get("theme"), "theme", _l("Thema"), required=False,
                       max_length=100)
    contact_name = checks.run(base.text, data.get("contact_name"), "contact_name",
                              _l("Naam contactpersoon"), required=contact_required,
                              max_length=200)
    contact_email = checks.run(base.email, data.get("contact_email"), "contact_email",
                               required=contact_required)
    links = checks.run(_links, data.get("links")) or []
    year = checks.run(_year, data.get("year"))
    checks.done()
    consent = str(data.get("contact_consent") or "").lower() in ("1", "true", "on", "y", "yes")
    return ExampleFields(municipality, title, summary, done, sdgs, theme, contact_name,
                         contact_email, consent, links, year)


def organisation_for(session: Session, code: str) -> Organisation:
    """The municipality's organisation row, made from the reference when there is none yet
    (an example may be of a municipality merged since)."""
    return people.municipality(session, code, former=True)
