"""Domain events reach their handlers after commit, never after rollback."""

from contextlib import contextmanager

import pytest
from sqlmodel import select

from tests import factories
from trajectories.catalogue import services as catalogue
from trajectories.catalogue.events import EditionSaved
from trajectories.core import events
from trajectories.core.errors import InvalidInput
from trajectories.core.models import EventRecord


@contextmanager
def also_handled_by(event_type, handler, first: bool = False):
    """Wire one more handler for `event_type` (before the app's, or after them) for the block."""
    before = events.subscriptions()
    theirs = before.get(event_type, ())
    events.connect({**before, event_type: (handler, *theirs) if first else (*theirs, handler)})
    try:
        yield
    finally:
        events.connect(before)


@pytest.fixture
def seen():
    received = []

    def handler(event, db):
        # Runs after commit: a fresh session sees the committed row.
        with db.session() as s:
            received.append((event.name, s.get(type_for(event), event_id(event)) is not None))

    with also_handled_by(EditionSaved, handler):
        yield received


def type_for(event):
    from trajectories.catalogue.models import Edition

    return Edition


def event_id(event):
    return event.edition_id


def test_handlers_run_after_commit_and_see_the_change(session, seen):
    factories.edition(session)
    assert seen == [("EditionSaved", True)]


def test_rolled_back_change_fires_nothing(session, seen):
    track = factories.track(session)
    with pytest.raises(InvalidInput):
        catalogue.create_edition(session, track, slug="x", name="X", timezone="Nowhere/Land")
    assert seen == []
    assert session.exec(select(EventRecord).where(EventRecord.name == "EditionSaved")).all() == []


def test_event_recorded_in_a_transaction_that_rolls_back_is_dropped(db, seen):
    with db.session() as session:
        track = factories.track(session)
        events.record(session, EditionSaved(edition_id=1, track_id=track.id))
        session.rollback()
        session.commit()
    assert seen == []


def test_a_failing_handler_does_not_stop_the_others(session, seen):
    def broken(event, db):
        raise RuntimeError("boom")

    with also_handled_by(EditionSaved, broken, first=True):
        factories.edition(session)
    assert seen == [("EditionSaved", True)]


def test_connect_replaces_the_wiring_so_building_the_app_twice_runs_each_handler_once(app_config):
    from trajectories.app import SUBSCRIPTIONS, create_app

    for _ in range(2):
        create_app(app_config).extensions["trajectories.db"].dispose()
    assert events.subscriptions() == SUBSCRIPTIONS
