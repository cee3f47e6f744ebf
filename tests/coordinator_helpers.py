"""Shared pieces of the coordinator web tests: a small two-organiser world and a signed-in
client that sends the CSRF token like a browser does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from tests import factories
from tests.auth import signed_in_coordinator
from trajectories.accounts import services as accounts
from trajectories.lending import services as lending
from trajectories.people import services as people
from trajectories.schedule import services as schedule

PASSWORD = "een-lang-wachtwoord-2026"
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                      r'type="hidden" name="csrf_token" value="([^"]+)"|'
                      r'name="csrf_token" value="([^"]+)"')


@dataclass
class World:
    nl: object
    be: object
    track_nl: object
    edition_nl: object
    meeting_nl: object
    deadline_nl: object
    track_be: object
    edition_be: object
    meeting_be: object
    deadline_be: object
    participants: list
    #: Each organiser's lendable object (lending).
    object_nl: object = None
    object_be: object = None


def build_world(session) -> World:
    nl = factories.organiser(session, slug="vng", name="VNG", country="NL")
    be = factories.organiser(session, slug="vvsg", name="VVSG", country="BE")
    accounts.create_coordinator(session, email="nl@example.org", name="Coördinator NL",
                                password=PASSWORD, organiser=nl)
    accounts.create_coordinator(session, email="be@example.org", name="Coördinator BE",
                                password=PASSWORD, organiser=be)
    accounts.create_coordinator(session, email="admin@example.org", name="Beheerder",
                                password=PASSWORD, is_admin=True)
    track_nl = factories.track(session, nl, slug="inclusie", title="Inclusie")
    edition_nl = factories.edition(session, track_nl, slug="2030", name="2030", capacity=3)
    meeting_nl = factories.meeting(session, edition_nl, title="Kennismaking")
    deadline_nl = schedule.set_deadline(session, edition_nl, title="Plan", due_date=date(2030, 6, 1))
    track_be = factories.track(session, be, slug="aankoop", title="Aankoop")
    edition_be = factories.edition(session, track_be, slug="2030", name="2030",
                                 timezone="Europe/Brussels")
    meeting_be = factories.meeting(session, edition_be, title="Werkkledij", start=time(9, 30),
                                   end=time(12, 30))
    deadline_be = schedule.set_deadline(session, edition_be, title="Bestek",
                                        due_date=date(2030, 6, 1))
    participants = [factories.participant(session, name=f"Deelnemer {i}") for i in range(4)]
    for p in participants:
        people.enroll(session, edition_nl, p)  # three admitted, one waitlisted
    object_nl = lending.create_object(session, nl, {"name": "Tijdscapsule", "slug": "tijdscapsule",
                                                    "available": "y"})
    object_be = lending.create_object(session, be, {"name": "Koffer", "slug": "koffer"})
    return World(nl, be, track_nl, edition_nl, meeting_nl, deadline_nl, track_be, edition_be,
                 meeting_be, deadline_be, participants, object_nl, object_be)


def csrf_from(html: str) -> str:
    match = TOKEN_RE.search(html)
    assert match, "no CSRF token on the page"
    return next(g for g in match.groups() if g)


class Browser:
    """The test client with a CSRF token taken from the pages, as a browser would send it."""

    def __init__(self, client, session=None):
        self.client = client
        self.token = None
        #: The test's own session: its open transaction is ended before each request (on
        #: SQLite every transaction holds the write lock, see trajectories/db.py).
        self.session = session

    def _release(self):
        if self.session is not None:
            self.session.rollback()

    def get(self, url, **kw):
        self._release()
        response = self.client.get(url, **kw)
        if response.status_code == 200 and "text/html" in response.content_type:
            match = TOKEN_RE.search(response.get_data(as_text=True))
            if match:
                self.token = next(g for g in match.groups() if g)
        return response

    def post(self, url, data=None, **kw):
        if self.token is None:
            self.get("/beheer/inloggen")
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        self._release()
        return self.client.post(url, data=data, **kw)

    def sign_in(self, email):
        """Signed in directly (tests.auth), for tests that need a coordinator only as a
        precondition; then the dashboard, for its CSRF token."""
        self._release()
        signed_in_coordinator(self.client, email)
        self.get("/beheer/")
        return self

    def login(self, email, password=PASSWORD):
        """Through the sign-in form, as a coordinator does."""
        self.get("/beheer/inloggen")
        response = self.post("/beheer/inloggen", {"email": email, "password": password})
        self.get("/beheer/")
        return response
