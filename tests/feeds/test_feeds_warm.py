"""gunicorn's master warms the feed cache before it forks a worker (gunicorn.conf.py's
when_ready): the public feeds are built once, and every worker's first requests are answered
from memory."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from trajectories.feeds import build
from trajectories.web.feeds import warm_feed_cache


@pytest.fixture
def s(app):
    with app.extensions["trajectories.db"].session(actor="test") as session:
        yield session


def test_warmed_worker_answers_every_public_feed_without_building(app, client, s, monkeypatch):
    organiser = factories.organiser(s, slug="vng", name="VNG")
    track = factories.track(s, organiser, slug="g4gg", title="Gemeenten4GlobalGoals")
    for slug in ("2030", "2031"):
        edition = factories.edition(s, track, slug=slug, name=slug)
        factories.meeting(s, edition, title="Kick-off", on_date=date(2030, 4, 13))
    factories.edition(s, track, slug="concept", name="Concept", draft=True)

    assert warm_feed_cache(app) == 4  # the organiser, the track, both published editions

    def no_build(*_args, **_kwargs):
        raise AssertionError("built while serving: the cache was cold")

    for name in ("build_organiser_feed", "build_track_feed", "build_edition_feed"):
        monkeypatch.setattr(build, name, no_build)
    for path in ("/feeds/vng.ics", "/feeds/vng/g4gg.ics", "/feeds/vng/g4gg/2030.ics",
                 "/feeds/vng/g4gg/2031.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"Kick-off" in response.data


def test_warming_stops_when_its_time_is_up(app, s):
    organiser = factories.organiser(s, slug="vng", name="VNG")
    track = factories.track(s, organiser, slug="g4gg", title="Gemeenten4GlobalGoals")
    factories.edition(s, track, slug="2030", name="2030")

    assert warm_feed_cache(app, seconds=0) == 0
