"""From the catalogue's rows to the API's shapes (`schemas.py`). Addresses are absolute, on the
site's public address (TRAJECTORIES_BASE_URL), as in the feeds. Only public fields are copied:
no contact person, no online meeting link, nothing about participants but a count of places.
"""

from __future__ import annotations

from datetime import UTC

from trajectories.api import schemas
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.catalogue.status import Status, registration_open
from trajectories.core.clock import to_local
from trajectories.core.reference import goals
from trajectories.feeds import links
from trajectories.schedule.models import Meeting

API = "/api/v1"


class Serialiser:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")

    def api(self, path: str) -> str:
        return f"{self.base}{API}{path}"

    # --- organisers ------------------------------------------------------------------------------
    def organiser(self, organiser: Organiser) -> schemas.Organiser:
        return schemas.Organiser(
            id=organiser.id, slug=organiser.slug, name=organiser.name, country=organiser.country,
            website=organiser.website, url=f"{self.base}/{organiser.slug}/",
            api_url=self.api(f"/organisers/{organiser.slug}"),
            tracks_url=self.api(f"/tracks?organiser={organiser.slug}"),
            feed_url=links.feed_link(self.base, organiser).https_url)

    # --- tracks and editions ---------------------------------------------------------------------
    def track_url(self, organiser: Organiser, track: Track) -> str:
        return f"{self.base}/{organiser.slug}/{track.slug}/"

    def track(self, organiser: Organiser, entry: dict) -> schemas.Track:
        track = entry["track"]
        return schemas.Track(
            id=track.id, slug=track.slug, organiser_id=organiser.id,
            organiser_slug=organiser.slug, title=track.title, summary=track.summary,
            goals=track.goals, target_group=track.target_group, theme=track.theme,
            global_goals=[schemas.Goal(number=n, name_nl=goals()[n].name_nl,
                                       name_en=goals()[n].name_en)
                          for n in track.sdgs or [] if n in goals()],
            status=str(entry["status"]), full=entry["full"],
            url=self.track_url(organiser, track), api_url=self.api(f"/tracks/{track.id}"),
            feed_url=links.feed_link(self.base, track, organiser=organiser).https_url,
            editions=[self.edition(organiser, track, row) for row in entry["editions"]])

    def edition(self, organiser: Organiser, track: Track, row: dict) -> schemas.Edition:
        return schemas.Edition(**self._edition_fields(organiser, track, row))

    def edition_with_sessions(self, organiser: Organiser, track: Track, row: dict,
                              meetings: list[Meeting], moved: dict[int, str]
                              ) -> schemas.EditionWithSessions:
        edition = row["edition"]
        return schemas.EditionWithSessions(
            **self._edition_fields(organiser, track, row),
            sessions=[self.session(edition, m, m.id in moved) for m in meetings])

    def _edition_fields(self, organiser: Organiser, track: Track, row: dict) -> dict:
        edition: Edition = row["edition"]
        is_open = row["status"] == Status.REGISTRATION_OPEN and registration_open(edition)
        track_url = self.track_url(organiser, track)
        return {
            "id": edition.id, "slug": edition.slug, "name": edition.name, "track_id": track.id,
            "timezone": edition.timezone, "status": str(row["status"]),
            "first_day": row["span"].first, "last_day": row["span"].last,
            "capacity": edition.capacity, "places_left": row["places_left"],
            "eligibility": edition.eligibility, "requires_approval": edition.requires_approval,
            "registration": schemas.Registration(
                opens_at=_utc(edition.registration_opens_at),
                closes_at=_utc(edition.registration_closes_at), open=is_open,
                url=f"{track_url}{edition.slug}/inschrijven" if is_open else None),
            "url": f"{track_url}#ed-{edition.id}", "api_url": self.api(f"/editions/{edition.id}"),
            "sessions_url": self.api(f"/editions/{edition.id}/sessions"),
            "feed_url": links.feed_link(self.base, edition, track=track,
                                        organiser=organiser).https_url,
        }

    # --- sessions --------------------------------------------------------------------------------
    def session(self, edition: Edition, meeting: Meeting, moved: bool) -> schemas.Session:
        zone = edition.timezone
        return schemas.Session(
            id=meeting.id, uid=meeting.uid, edition_id=edition.id, title=meeting.title,
            kind=meeting.kind, mode=meeting.mode, status=meeting.status, rescheduled=moved,
            date=meeting.on_date, time_to_be_announced=meeting.starts_at is None, timezone=zone,
            start_utc=_utc(meeting.starts_at), end_utc=_utc(meeting.ends_at),
            start_local=to_local(meeting.starts_at, zone) if meeting.starts_at else None,
            end_local=to_local(meeting.ends_at, zone) if meeting.ends_at else None,
            location=meeting.location if meeting.mode != "online" else "")


def _utc(moment):
    """An aware moment in UTC (naive ones are UTC already)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
