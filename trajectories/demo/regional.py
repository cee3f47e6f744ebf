"""Gemeenten4GlobalGoals' regional meetings as demo data.

The source (000_…: "in 2016 vijf regionale bijeenkomsten waar in totaal 97 verschillende
gemeenten bij aanwezig waren") gives their number and year only: the regions, dates and places
are examples and say so. One more meeting lies ahead, open for registration.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from trajectories.catalogue.models import Eligibility, TrackKind
from trajectories.schedule.models import MeetingKind, MeetingMode

NOTE = ("Voorbeeld: regio, datum en plaats zijn verzonnen voor de demo. De bron noemt vijf "
        "regionale bijeenkomsten in 2016, met in totaal 97 gemeenten.")

#: (slug, region, day, place) of the 2016 meetings: examples.
HELD_2016 = [
    ("2016-noord", "Noord-Nederland", date(2016, 3, 10), "Groningen"),
    ("2016-oost", "Oost-Nederland", date(2016, 4, 14), "Zwolle"),
    ("2016-west", "West-Nederland", date(2016, 5, 19), "Den Haag"),
    ("2016-zuid", "Zuid-Nederland", date(2016, 9, 22), "Tilburg"),
    ("2016-midden", "Midden-Nederland", date(2016, 10, 27), "Utrecht"),
]


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _meeting(slug: str, region: str, day: date, place: str, registration) -> dict:
    return dict(slug=slug, name=f"{region} {day.year} (voorbeeld)", region=region,
                timezone="Europe/Amsterdam", eligibility=Eligibility.MUNICIPALITIES,
                coordinator_email="maria.vanderharst@vng.nl", registration=registration,
                sessions=[dict(title=f"Regionale bijeenkomst Global Goals {region}",
                               on_date=day, start=time(13, 30), end=time(17),
                               kind=MeetingKind.REGIONAL_MEETING, mode=MeetingMode.ON_SITE,
                               location=f"{place} (voorbeeld)", description=NOTE)],
                deadlines=[], enroll=[], submitted=[])


def regional_meetings(today: date) -> list[dict]:
    """The track of regional meetings: five held in 2016, one ahead (open for registration)."""
    ahead = _weekday(today + timedelta(days=35))
    editions = [_meeting(slug, region, day, place,
                         (day - timedelta(days=42), day - timedelta(days=2)))
                for slug, region, day, place in HELD_2016]
    editions.append(_meeting("volgende", "Oost-Nederland", ahead, "Deventer",
                             (today - timedelta(days=7), ahead - timedelta(days=2))))
    return [dict(organiser="vng", track=dict(
        slug="regionale-bijeenkomsten", title="Regionale bijeenkomsten Gemeenten4GlobalGoals",
        kind=TrackKind.REGIONAL_MEETING,
        summary=("Bijeenkomsten waarin de dialoog centraal staat: per regio, open voor elke "
                 "gemeente uit die regio. In 2016 waren er vijf, met in totaal 97 gemeenten."),
        target_group="Gemeenten (ambtenaren, bestuurders en raadsleden) uit de regio.",
        theme="Global Goals", sdgs=[11, 17],
        contact_name="Maria van der Harst", contact_email="maria.vanderharst@vng.nl"),
        editions=editions)]
