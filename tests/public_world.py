"""Helpers for the public and self-service tests: an edition open for registration, and
reading links out of the mails the real SMTP server received."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from tests import factories
from trajectories.core.clock import utcnow

LINK_RE = re.compile(r"https?://\S+?/(?:inschrijving/bevestigen|mijn/link|inchecken/\d+/link)\?t=[\w.\-]+")


def open_edition(session, **kw):
    """An edition whose registration is open now (closes in ten days)."""
    now = utcnow()
    data = dict(registration_opens_at=now - timedelta(days=1),
                registration_closes_at=now + timedelta(days=10))
    return factories.edition(session, **{**data, **kw})


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message) -> str:
    """The confirmation or sign-in link of a mail, as a path with its query (for the client)."""
    match = LINK_RE.search(text_of(message))
    assert match, text_of(message)
    parts = urlsplit(match.group(0))
    return f"{parts.path}?{parts.query}"


def token_of(path: str) -> str:
    return path.split("t=", 1)[1]


def register_form(**kw) -> dict:
    data = dict(name="Sanne Bakker", email="s.bakker@noordenveld.example", role="beleidsadviseur",
                organisation="GM1699", language="nl")
    return {**data, **kw}


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def submit(client, path: str, data: dict | None = None, *, action: str | None = None,
           **kw):
    """Open the page at `path` like a browser, then post its form (with the page's CSRF token)
    to `action` (default: the same path)."""
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no form on {path}: {page.status_code}"
    return client.post(action or path, data={"csrf_token": match.group(1), **(data or {})}, **kw)


def follow_link(client, mail_message):
    """Follow the link in a mail: open its page and press its one button."""
    path = link_in(mail_message)
    return submit(client, path, {"t": token_of(path)}, action=path.split("?", 1)[0])


def closing_client(app, session):
    """The test client. Before each request the test's own database session lets go of its
    transaction (SQLite has one writer: a read left open would block the app's write); after
    it, the mail outbox is drained to the SMTP server, as the running scheduler would."""

    class Client(FlaskClient):
        def open(self, *args, **kwargs):
            session.close()
            response = super().open(*args, **kwargs)
            deliver(app)
            return response

    app.test_client_class = Client
    return app.test_client()


def deliver(app):
    """Send what the outbox holds (the drain of the scheduler process)."""
    from trajectories.mail.drain import drain

    return drain(app.extensions["trajectories.db"], app.config["SETTINGS"])
