"""The words inside feeds, per language.

Feeds are built outside any request (after-commit handlers, the CLI, the scheduler's mails) and
in the participant's language rather than the visitor's, so they take their words from this
table instead of Flask-Babel's request locale. Dutch is the default and the fallback.
"""

from __future__ import annotations

from datetime import date

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "tba": "tijd volgt",
        "cancelled": "Geannuleerd",
        "deadline": "Deadline",
        "delivered": "Ingeleverd",
        "agenda": "Programma",
        "materials": "Materialen",
        "online": "Online deelnemen",
        "online_location": "Online",
        "page": "Meer informatie",
        "due_before": "In te leveren vóór {time} ({zone})",
        "due_day": "In te leveren op of vóór {day}",
        "extended": "Je hebt uitstel gekregen tot {day}.",
        "delivered_note": "Je hebt dit ingeleverd op {day}.",
        "team_delivered_note": "Je gemeente ({team}) heeft dit ingeleverd op {day}: het is "
                               "gedaan voor het hele team.",
        "edition": "Editie",
        "organiser_title": "Alle leertrajecten van {organiser}",
        "track_title": "{track} (alle edities)",
        "edition_title": "{track} – {edition}",
        "personal_title": "Mijn leertrajecten",
        "organiser_desc": "Alle sessies en deadlines van de leertrajecten van {organiser}.",
        "track_desc": "Alle sessies en deadlines van {track}, in elke editie ({organiser}).",
        "edition_desc": "Sessies en deadlines van {track}, editie {edition} ({organiser}).",
        "personal_desc": "Jouw sessies en deadlines in de leertrajecten waarvoor je bent"
                         " toegelaten. Dit adres is persoonlijk: deel het niet.",
        "window": "Sessies en deadlines van meer dan een jaar geleden staan niet in deze agenda;"
                  " je vindt ze op {url}",
        "history": "Afgelopen sessies en deadlines blijven in deze agenda staan.",
        "alarm": "Herinnering: {title}",
        "months": "januari februari maart april mei juni juli augustus september oktober"
                  " november december",
    },
    "en": {
        "tba": "time to be announced",
        "cancelled": "Cancelled",
        "deadline": "Deadline",
        "delivered": "Delivered",
        "agenda": "Programme",
        "materials": "Materials",
        "online": "Join online",
        "online_location": "Online",
        "page": "More information",
        "due_before": "Due before {time} ({zone})",
        "due_day": "Due on or before {day}",
        "extended": "You have an extension until {day}.",
        "delivered_note": "You delivered this on {day}.",
        "team_delivered_note": "Your municipality ({team}) delivered this on {day}: it is done "
                               "for the whole team.",
        "edition": "Edition",
        "organiser_title": "All learning tracks of {organiser}",
        "track_title": "{track} (all editions)",
        "edition_title": "{track} – {edition}",
        "personal_title": "My learning tracks",
        "organiser_desc": "All sessions and deadlines of the learning tracks of {organiser}.",
        "track_desc": "All sessions and deadlines of {track}, in every edition ({organiser}).",
        "edition_desc": "Sessions and deadlines of {track}, edition {edition} ({organiser}).",
        "personal_desc": "Your sessions and deadlines in the learning tracks you were admitted"
                         " to. This address is personal: do not share it.",
        "window": "Sessions and deadlines more than a year ago are left out of this calendar;"
                  " you find them at {url}",
        "history": "Past sessions and deadlines stay in this calendar.",
        "alarm": "Reminder: {title}",
        "months": "January February March April May June July August September October"
                  " November December",
    },
}


def texts(language: str | None) -> dict[str, str]:
    return TEXTS.get((language or "nl")[:2], TEXTS["nl"])


def long_date(day: date, language: str | None) -> str:
    """'13 april 2021' / '13 April 2021' (no weekday: stays correct in every client)."""
    months = texts(language)["months"].split()
    return f"{day.day} {months[day.month - 1]} {day.year}"
