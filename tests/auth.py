"""Signed in directly, for tests that need a signed-in coordinator or participant only as a
precondition: the client gets the session the app itself writes after a good sign-in, without
the form, its rate limit, Argon2 or a mail. The sign-in by password and by mail keep their own
tests (tests/accounts/, tests/web/test_redirects.py, tests/people/test_selfservice.py)."""

from __future__ import annotations

from flask import session
from flask_login import login_user
from sqlmodel import select

from trajectories.accounts.models import Coordinator
from trajectories.people.models import Participant
from trajectories.web import db_session, fresh_session
from trajectories.web.coordinator.blueprint import _load_user
from trajectories.web.selfservice.blueprint import sign_in_session


def _session_after(client, sign_in) -> None:
    """Run `sign_in` (the app's own sign-in step) in a request like the client's (same address
    and browser, which Flask-Login's session protection compares), then give the client the
    session it wrote. The visitor's language choice survives, as at a real sign-in."""
    with client.session_transaction() as before:
        language = before.get("lang")
    with client.application.test_request_context(environ_base=client.environ_base):
        if language:
            session["lang"] = language
        sign_in()
        values = dict(session)
    with client.session_transaction() as after:
        after.clear()
        after.update(values)


def signed_in_coordinator(client, coordinator) -> None:
    """Sign `coordinator` (a Coordinator or its e-mail address) in on the test `client`, as the
    password form does after a right password: a fresh session with Flask-Login's user id."""
    email = coordinator if isinstance(coordinator, str) else coordinator.email

    def sign_in():
        row = db_session().exec(select(Coordinator).where(Coordinator.email == email)).one()
        fresh_session()
        assert login_user(_load_user(f"{row.id}:{row.password_hash[-16:]}"))

    _session_after(client, sign_in)


def signed_in_participant(client, participant) -> None:
    """Sign `participant` in on the test `client` for "Mijn leertrajecten", as following the
    mailed sign-in link does."""
    participant_id = participant.id

    def sign_in():
        sign_in_session(db_session().get(Participant, participant_id))

    _session_after(client, sign_in)
