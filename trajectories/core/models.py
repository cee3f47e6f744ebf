"""Tables and words every feature shares: the audit log (`EventRecord`), process heartbeats,
countries and languages, the CHECK-constraint helper, and `Labelled`: the base of every
enumeration shown to people, which carries each member's words.

Times: every `*_at` column in every feature holds an aware UTC moment (SQLModel's UTCDateTime:
timestamptz on PostgreSQL); an edition's `timezone` says in which IANA zone they are shown, so a
13:30 session stays 13:30 local across daylight-saving changes. Enumerations are short strings
guarded by CHECK constraints (portable across SQLite and PostgreSQL, readable in a dump).
"""

from __future__ import annotations

import functools
from datetime import datetime
from enum import StrEnum

from flask_babel.speaklater import LazyString
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow


def check_in(column: str, enum: type[StrEnum]) -> str:
    """A CHECK constraint's condition: `column` holds one of the enumeration's values."""
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class Labelled(StrEnum):
    """An enumeration shown to people: each member is written with its words, in Dutch,
    `APPLIED = "applied", _l("aangemeld")`, translated in the .po like any other text. So a
    member's label has one home, and a member without one fails when the module loads.
    Templates print it with the `label` filter: `{{ row.status | label("EnrollmentStatus") }}`."""

    label: LazyString

    def __new__(cls, value: str, label: LazyString):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


@functools.cache
def labelled(name: str) -> type[Labelled]:
    """The labelled enumeration called `name` ("EnrollmentStatus"), for templates; looked up once
    per name (the `label` filter runs once per row)."""
    found = {enum.__name__: enum for enum in Labelled.__subclasses__()}
    return found[name]


def label(value: str, enum_name: str) -> LazyString:
    """The words for a stored value of a labelled enumeration: the `label` filter."""
    return labelled(enum_name)(value).label


def _capitalised(member: Labelled) -> str:
    text = str(member.label)
    return text[:1].upper() + text[1:]


def choices(enum: type[Labelled]) -> list[tuple[str, LazyString]]:
    """(value, words) of every member for a form's select, each option starting with a capital
    ("Op locatie"); translated when the form is shown."""
    return [(member.value, LazyString(_capitalised, member)) for member in enum]


def labels(enum_name: str) -> dict[str, str]:
    """{value: words} of every member, translated now: the `enum_labels` global, for a select's
    options and for a long list (one translation per member, not one per row)."""
    return {member.value: str(member.label) for member in labelled(enum_name)}


class Country(StrEnum):
    NL = "NL"
    BE = "BE"


#: Each country's time zone: a new edition's default, and the zone of what is timed per country
#: (a loan's days, a province's "today").
COUNTRY_ZONES = {Country.NL: "Europe/Amsterdam", Country.BE: "Europe/Brussels"}


def country_zone(country: str) -> str:
    return COUNTRY_ZONES.get(country, COUNTRY_ZONES[Country.NL])


class Language(StrEnum):
    NL = "nl"
    EN = "en"


class EventRecord(SQLModel, table=True):
    """Every domain event, written in the transaction that caused it.

    The audit log (who changed what, when) and the feed the scheduler process tails to re-plan.
    """

    __tablename__ = "event_log"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, index=True)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: Who acted: "coordinator:3", "participant:12", "cli", "scheduler"; None when unknown.
    actor: str | None = Field(default=None, max_length=80)
    occurred_at: datetime = Field(default_factory=utcnow, index=True)


class Heartbeat(SQLModel, table=True):
    """The last sign of life of a background process (the active scheduler), for /healthz."""

    name: str = Field(primary_key=True, max_length=40)
    beat_at: datetime = Field(default_factory=utcnow)
    #: Which process: "host:pid".
    holder: str = Field(default="", max_length=120)
