"""Dates, times and counts on coordinator pages. Dates in nl-NL, or nl-BE for a Flemish
organiser (short dates differ: 03-04-2030 against 3/04/2030), English when chosen; always in the
edition's zone."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel.dates import format_date, format_datetime
from flask import Flask
from flask_babel import get_locale, ngettext
from flask_login import current_user

from trajectories.core.clock import to_local
from trajectories.core.reference import goals
from trajectories.schedule.models import DeliveredBy


def date_locale() -> str:
    if str(get_locale()) == "en":
        return "en_GB"
    organiser = getattr(current_user, "organiser", None)
    return "nl_BE" if organiser is not None and organiser.country == "BE" else "nl_NL"


@lru_cache(maxsize=4096)
def _format_date(value: date, fmt: str, locale: str) -> str:
    # Babel parses the locale and pattern on every call; long lists repeat the same days.
    return format_date(value, fmt, locale=locale)


def cdate(value, fmt: str = "short") -> str:
    return _format_date(value, fmt, date_locale()) if value else ""


def cmoment(moment, zone_name: str, fmt: str = "short") -> str:
    """A UTC moment in the edition's zone: 'short' gives date and time."""
    if moment is None:
        return ""
    local = to_local(moment, zone_name)
    if fmt == "short":
        return f"{_format_date(local.date(), 'short', date_locale())} {local:%H:%M}"
    return format_datetime(local, fmt, locale=date_locale())


def clocal_time(moment, zone_name: str) -> str:
    return "" if moment is None else f"{to_local(moment, zone_name):%H:%M}"


def completion_text(deadline, done: int, expected: int) -> str:
    """What a deadline's completion counts, in words: municipalities (one delivery covers an
    organisation) or participants."""
    if deadline.delivered_by == DeliveredBy.ORGANISATION:
        return ngettext("%(done)s van %(num)s gemeente ingeleverd",
                        "%(done)s van %(num)s gemeenten ingeleverd", expected, done=done)
    return ngettext("%(done)s van %(num)s deelnemer ingeleverd",
                    "%(done)s van %(num)s deelnemers ingeleverd", expected, done=done)


def register(app: Flask) -> None:
    app.add_template_filter(cdate, "cdate")
    app.add_template_filter(cmoment, "cmoment")
    app.add_template_filter(clocal_time, "ctime")
    app.add_template_global(goals, "sdg_goals")
    app.add_template_global(completion_text, "completion_text")
