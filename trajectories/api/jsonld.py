"""schema.org markup of a track page (JSON-LD): the track as a `Course`, each published edition
a `CourseInstance` with an `Offer` (availability from the places left, the catalogue's rule), and
each session an `Event` in it (`subEvent`): start and end with the edition's zone offset, a
`Place` or a `VirtualLocation`, and its status (scheduled, cancelled, or rescheduled with its
previous start). Search engines show events that carry it. No personal data: no contact person,
no online meeting link (the virtual location points at the track page).
"""

from __future__ import annotations

from datetime import datetime

from trajectories.api.serialise import Serialiser
from trajectories.catalogue.models import Organiser
from trajectories.catalogue.status import Status
from trajectories.core.clock import to_local
from trajectories.core.reference import goals
from trajectories.schedule.models import Meeting, MeetingMode, MeetingStatus

SCHEMA = "https://schema.org/"
ATTENDANCE = {MeetingMode.ONLINE: "OnlineEventAttendanceMode",
              MeetingMode.ON_SITE: "OfflineEventAttendanceMode",
              MeetingMode.HYBRID: "MixedEventAttendanceMode"}
COURSE_MODE = {MeetingMode.ONLINE: "online", MeetingMode.ON_SITE: "onsite",
               MeetingMode.HYBRID: "blended"}


def availability(row: dict) -> str:
    """InStock while one can register and places are left; SoldOut when full (a registration
    joins the waiting list); PreOrder before registration opens; OutOfStock when it closed;
    Discontinued once the edition is over."""
    status = row["status"]
    if status == Status.REGISTRATION_OPEN:
        return "SoldOut" if row["places_left"] == 0 else "InStock"
    if status == Status.FINISHED:
        return "Discontinued"
    opens = row["edition"].registration_opens_at
    return "PreOrder" if status == Status.UPCOMING and opens is not None else "OutOfStock"


def _moment(meeting: Meeting, zone: str, end: bool = False) -> str:
    """ISO 8601 in the edition's zone with its offset; the day alone while the time is to be
    announced."""
    moment = meeting.ends_at if end else meeting.starts_at
    if moment is None:
        return meeting.on_date.isoformat()
    return to_local(moment, zone).isoformat()


def _location(meeting: Meeting, page: str) -> list[dict]:
    places = []
    if meeting.mode in (MeetingMode.ON_SITE, MeetingMode.HYBRID) and meeting.location:
        places.append({"@type": "Place", "name": meeting.location, "address": meeting.location})
    if meeting.mode in (MeetingMode.ONLINE, MeetingMode.HYBRID):
        places.append({"@type": "VirtualLocation", "url": page})
    return places


def session_event(meeting: Meeting, zone: str, page: str, organiser: dict,
                  previous_start: str | None) -> dict:
    status = ("EventCancelled" if meeting.status == MeetingStatus.CANCELLED
              else "EventRescheduled" if previous_start else "EventScheduled")
    event = {
        "@type": "Event", "@id": f"{page}#session-{meeting.id}", "name": meeting.title,
        "startDate": _moment(meeting, zone), "endDate": _moment(meeting, zone, end=True),
        "eventStatus": SCHEMA + status,
        "eventAttendanceMode": SCHEMA + ATTENDANCE.get(meeting.mode, ATTENDANCE["online"]),
        "organizer": organiser, "url": page,
    }
    if meeting.description:
        event["description"] = meeting.description
    location = _location(meeting, page)
    if location:
        event["location"] = location[0] if len(location) == 1 else location
    if previous_start and meeting.status != MeetingStatus.CANCELLED:
        event["previousStartDate"] = (to_local_iso(previous_start, zone)
                                      if "T" in previous_start else previous_start)
    return event


def to_local_iso(utc_iso: str, zone: str) -> str:
    return to_local(datetime.fromisoformat(utc_iso), zone).isoformat()


def track(serialiser: Serialiser, organiser: Organiser, entry: dict,
          meetings: dict[int, list[Meeting]], moved: dict[int, str]) -> dict:
    track_row = entry["track"]
    page = serialiser.track_url(organiser, track_row)
    provider = {"@type": "Organization", "name": organiser.name,
                "url": organiser.website or f"{serialiser.base}/{organiser.slug}/"}
    instances = []
    for row in entry["editions"]:
        edition = row["edition"]
        sessions = meetings.get(edition.id, [])
        held = [m for m in sessions if m.status != MeetingStatus.CANCELLED] or sessions
        instance = {
            "@type": "CourseInstance", "@id": f"{page}#ed-{edition.id}",
            "name": f"{track_row.title} — {edition.name}", "url": f"{page}#ed-{edition.id}",
            "eventStatus": SCHEMA + "EventScheduled", "organizer": provider,
            "courseMode": sorted({COURSE_MODE.get(m.mode, "online") for m in held}),
            "offers": _offer(serialiser, organiser, track_row, row, page),
            "subEvent": [session_event(m, edition.timezone, page, provider, moved.get(m.id))
                         for m in sessions],
        }
        if held:
            instance["startDate"] = _moment(held[0], edition.timezone)
            instance["endDate"] = _moment(held[-1], edition.timezone, end=True)
            instance["eventAttendanceMode"] = SCHEMA + (
                ATTENDANCE[held[0].mode] if len({m.mode for m in held}) == 1
                else "MixedEventAttendanceMode")
            places = [place for m in held for place in _location(m, page)]
            if places:
                instance["location"] = places[0]
        instances.append(instance)
    course = {
        "@context": "https://schema.org", "@type": "Course", "@id": f"{page}#course",
        "name": track_row.title, "description": track_row.summary or track_row.title,
        "url": page, "inLanguage": "nl", "provider": provider,
        "hasCourseInstance": instances,
    }
    if track_row.theme:
        course["keywords"] = track_row.theme
    if track_row.sdgs:
        course["about"] = [{"@type": "Thing", "name": f"SDG {n}: {goals()[n].name_en}"}
                           for n in track_row.sdgs if n in goals()]
    if track_row.target_group:
        course["audience"] = {"@type": "Audience", "audienceType": track_row.target_group}
    return course


def _offer(serialiser: Serialiser, organiser: Organiser, track_row, row: dict, page: str) -> dict:
    edition = row["edition"]
    fields = serialiser.edition(organiser, track_row, row)
    offer = {"@type": "Offer", "url": fields.registration.url or page,
             "availability": SCHEMA + availability(row), "category": "registration"}
    if edition.registration_opens_at:
        offer["validFrom"] = to_local(edition.registration_opens_at, edition.timezone).isoformat()
    if edition.registration_closes_at:
        offer["validThrough"] = to_local(edition.registration_closes_at,
                                         edition.timezone).isoformat()
    if row["places_left"] is not None:
        offer["inventoryLevel"] = {"@type": "QuantitativeValue", "value": row["places_left"]}
    return offer
