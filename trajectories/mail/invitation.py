"""iMIP invitations (RFC 6047): a calendar with METHOD REQUEST or CANCEL, ORGANIZER and ATTENDEE.

The event itself comes from the feeds' `meeting_event` when that module is there (same UID,
SEQUENCE and content as the personal feed); until then a minimal builder here makes it.
"""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event, vCalAddress

from ..models import Cohort, Meeting, MeetingStatus, Organiser, Participant, Track

PRODID = "-//trajectories//leertrajecten//NL"


def _minimal_event(meeting: Meeting, cohort: Cohort, track: Track, base_url: str) -> Event:
    if meeting.starts_at is None:  # time to be announced: an all-day event on its date
        start, end = meeting.on_date, meeting.on_date + timedelta(days=1)
    else:
        start, end = meeting.starts_at, meeting.ends_at
    event = Event.new(uid=meeting.uid, sequence=meeting.sequence, stamp=meeting.updated_at,
                      start=start, end=end, summary=f"{meeting.title} ({track.title})",
                      location=meeting.location or meeting.online_url or None,
                      description=meeting.description or None,
                      url=meeting.online_url or None)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def _event(meeting, cohort, track, organiser, base_url, language) -> Event:
    try:
        from ..feeds.calendar import meeting_event
    except ImportError:
        return _minimal_event(meeting, cohort, track, base_url)
    return meeting_event(meeting, cohort, track, organiser, base_url=base_url, language=language)


def invitation(meeting: Meeting, cohort: Cohort, track: Track, organiser: Organiser,
               participant: Participant, *, base_url: str, cancel: bool = False) -> str:
    """The calendar text of a REQUEST (or CANCEL) for one participant."""
    method = "CANCEL" if cancel or meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    event = _event(meeting, cohort, track, organiser, base_url, participant.language)
    for name in ("ORGANIZER", "ATTENDEE", "METHOD"):
        event.pop(name, None)
    organizer = vCalAddress(f"mailto:{cohort.coordinator_email or organiser.email}")
    organizer.params["CN"] = organiser.name
    attendee = vCalAddress(f"mailto:{participant.email}")
    attendee.params.update({"CN": participant.name, "ROLE": "REQ-PARTICIPANT",
                            "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"})
    event.add("organizer", organizer)
    event.add("attendee", attendee)
    if method == "CANCEL":
        event.pop("STATUS", None)
        event.add("status", "CANCELLED")
    calendar = Calendar.new(prodid=PRODID, method=method, subcomponents=[event])
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
