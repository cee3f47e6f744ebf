"""iMIP invitations (RFC 6047): a calendar with METHOD REQUEST or CANCEL, ORGANIZER and ATTENDEE.

The event itself is the feeds' `meeting_event` (same UID, SEQUENCE, times and text as the
personal feed); this module only adds what an invitation needs on top of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from icalendar import Calendar, Event, Timezone, vCalAddress

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.feeds.calendar import _timezone, meeting_event
from trajectories.people.models import Participant
from trajectories.schedule.models import Material, Meeting, MeetingStatus

PRODID = "-//trajectories//leertrajecten//NL"


def address(event: Event, organizer_email: str, organizer_name: str,
            participant: Participant) -> None:
    """What makes an event an invitation to one person: its ORGANIZER (a bare mailto: that
    replies go to) and the participant as the one ATTENDEE, asked for no reply."""
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["CN"] = organizer_name
    attendee = vCalAddress(f"mailto:{participant.email}")
    attendee.params.update({"CN": participant.name, "ROLE": "REQ-PARTICIPANT",
                            "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"})
    event.add("organizer", organizer)
    event.add("attendee", attendee)


def invitation(meeting: Meeting, edition: Edition, track: Track, organiser: Organiser,
               participant: Participant, *, base_url: str, cancel: bool = False,
               materials: Sequence[Material] = ()) -> str:
    """The calendar text of a REQUEST (or CANCEL) for one participant."""
    method = "CANCEL" if cancel or meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    event = meeting_event(meeting, edition, track, organiser, base_url=base_url,
                          language=participant.language, materials=materials)
    # ORGANIZER: a bare mailto: of the edition's coordinator mailbox (replies go there).
    address(event, edition.coordinator_email or organiser.email, organiser.name, participant)
    if method == "CANCEL" and event.get("STATUS") != "CANCELLED":
        event.pop("STATUS", None)
        event.add("status", "CANCELLED")
    calendar = Calendar.new(prodid=PRODID, method=method, subcomponents=[event])
    # The VTIMEZONE add_missing_timezones() would build, built once per zone (building it was
    # half of a fan-out's time: every participant's invitation has the same one).
    for tzid in sorted(calendar.get_missing_tzids()):
        calendar.subcomponents.insert(0, _timezone(tzid, Timezone.DEFAULT_FIRST_DATE.year,
                                                   Timezone.DEFAULT_LAST_DATE.year))
    calendar.add_missing_timezones()  # a zone the cache could not build
    return calendar.to_ical().decode()
