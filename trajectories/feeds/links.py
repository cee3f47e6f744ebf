"""Where each feed lives, and the links a page offers to subscribe to it.

The app serves `/feeds/<path>` and publishes the public ones as `calendars/<path>`, so nginx can
serve the same URL from disk (docs/deploy.md):

    organiser  /feeds/vng.ics
    track      /feeds/vng/g4gg.ics
    edition    /feeds/vng/g4gg/2021.ics
    personal   /feeds/p/<token>.ics   (never published; always through the app)
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.feeds.texts import texts

PREFIX = "/feeds/"


def organiser_path(organiser: Organiser) -> str:
    return f"{organiser.slug}.ics"


def track_path(organiser: Organiser, track: Track) -> str:
    return f"{organiser.slug}/{track.slug}.ics"


def edition_path(organiser: Organiser, track: Track, edition: Edition) -> str:
    return f"{organiser.slug}/{track.slug}/{edition.slug}.ics"


def personal_path(token: str) -> str:
    return f"p/{token}.ics"


def organiser_title(organiser: Organiser, language: str = "nl") -> str:
    return texts(language)["organiser_title"].format(organiser=organiser.name)


def track_title(track: Track, language: str = "nl") -> str:
    return texts(language)["track_title"].format(track=track.title)


def edition_title(track: Track, edition: Edition, language: str = "nl") -> str:
    return texts(language)["edition_title"].format(track=track.title, edition=edition.name)


def personal_title(language: str = "nl") -> str:
    return texts(language)["personal_title"]


@dataclass(frozen=True)
class FeedLink:
    """One feed's URLs, in every form a calendar client wants."""

    base_url: str
    #: Below /feeds/, e.g. "vng/g4gg/2021.ics".
    path: str
    title: str

    @property
    def https_url(self) -> str:
        """The feed over http(s): Outlook on the web and downloads want this form."""
        return f"{self.base_url.rstrip('/')}{PREFIX}{self.path}"

    @property
    def webcal_url(self) -> str:
        """webcal://: opens the desktop or phone calendar's subscribe dialog."""
        return "webcal://" + self.https_url.split("://", 1)[1]

    @property
    def google_url(self) -> str:
        """Google Calendar's "add by URL", fed the webcal:// form (it refuses https:// here)."""
        return "https://calendar.google.com/calendar/render?" + urlencode(
            {"cid": self.webcal_url}, quote_via=quote)

    @property
    def outlook_url(self) -> str:
        """Outlook on the web (Microsoft 365 accounts), which wants the https:// form."""
        return "https://outlook.office.com/calendar/0/addfromweb?" + urlencode(
            {"url": self.https_url, "name": self.title}, quote_via=quote)

    @property
    def outlook_live_url(self) -> str:
        """The same for personal Outlook.com accounts."""
        return "https://outlook.live.com/calendar/0/addfromweb?" + urlencode(
            {"url": self.https_url, "name": self.title}, quote_via=quote)

    @property
    def download_url(self) -> str:
        return self.https_url

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1] if not self.path.startswith("p/") else "agenda.ics"


def feed_link(base_url: str, obj, *, track: Track | None = None,
              organiser: Organiser | None = None, language: str = "nl") -> FeedLink:
    """The feed of an Organiser, a Track (give its organiser) or a Edition (give its track and
    organiser)."""
    if isinstance(obj, Organiser):
        return FeedLink(base_url, organiser_path(obj), organiser_title(obj, language))
    if isinstance(obj, Track):
        return FeedLink(base_url, track_path(organiser, obj), track_title(obj, language))
    if isinstance(obj, Edition):
        return FeedLink(base_url, edition_path(organiser, track, obj),
                        edition_title(track, obj, language))
    raise TypeError(f"no feed for {type(obj).__name__}")


def personal_link(base_url: str, token: str, language: str = "nl") -> FeedLink:
    return FeedLink(base_url, personal_path(token), personal_title(language))
