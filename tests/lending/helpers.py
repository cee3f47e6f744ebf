"""A small lending world for the tests: VNG, its Tijdscapsule, and requests made through the
real services (the confirmation link's token is made as the mail makes it)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from tests import factories
from trajectories.accounts import tokens as signin
from trajectories.core.clock import local_today
from trajectories.lending import services as lending


def today() -> date:
    return local_today("Europe/Amsterdam")


def days(n: int) -> date:
    return today() + timedelta(days=n)


def world(session):
    vng = factories.organiser(session, slug="vng", name="VNG International",
                              email="g4gg@vng.example")
    capsule = lending.create_object(session, vng, {
        "name": "Tijdscapsule", "slug": "tijdscapsule", "available": "y",
        "description": "Een reizende tijdscapsule om met inwoners over de Global Goals te praten."})
    return vng, capsule


def form(start: date, end: date, **kw) -> dict:
    data = {"name": "Fatima el Amrani", "email": "f.elamrani@zwolle.example",
            "municipality": "GM0193", "starts_on": start.isoformat(),
            "ends_on": end.isoformat(), "place": "Stadhuis, Grote Kerkplein 15, Zwolle",
            "language": "nl"}
    return {**data, **kw}


def requested(session, obj, start: date, end: date, **kw):
    """A confirmed request (in the queue), as following the mail's link makes it."""
    checked = lending.check_request(session, obj, form(start, end, **kw))
    token = signin.make_token(current_app.config["SECRET_KEY"], signin.LOAN, checked.payload())
    return lending.confirm_request(session, token)[1]
