"""The database itself refuses bad rows, whatever code writes them (SQLite and PostgreSQL)."""

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from tests import factories
from trajectories.accounts.models import Coordinator
from trajectories.catalogue.models import Edition, Track
from trajectories.core.clock import utcnow
from trajectories.people.models import Participant
from trajectories.schedule.models import Meeting


def _insert_fails(session, row):
    session.add(row)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_meeting_end_before_start_is_refused(session):
    edition = factories.edition(session)
    start = utcnow()
    _insert_fails(session, Meeting(edition_id=edition.id, title="x", on_date=date(2030, 1, 1),
                                   starts_at=start, ends_at=start - timedelta(hours=1)))


def test_meeting_with_start_but_no_end_is_refused(session):
    edition = factories.edition(session)
    _insert_fails(session, Meeting(edition_id=edition.id, title="x", on_date=date(2030, 1, 1),
                                   starts_at=utcnow()))


def test_negative_capacity_is_refused(session):
    track = factories.track(session)
    _insert_fails(session, Edition(track_id=track.id, slug="x", name="x", capacity=-1))


def test_unknown_meeting_kind_is_refused(session):
    edition = factories.edition(session)
    _insert_fails(session, Meeting(edition_id=edition.id, title="x", on_date=date(2030, 1, 1),
                                   kind="party"))


def test_track_slug_is_unique_per_organiser(session):
    track = factories.track(session)
    _insert_fails(session, Track(organiser_id=track.organiser_id, slug=track.slug, title="y"))


def test_same_track_slug_under_another_organiser_is_fine(session):
    track = factories.track(session)
    other = factories.organiser(session)
    session.add(Track(organiser_id=other.id, slug=track.slug, title="y"))
    session.flush()


def test_participant_email_must_be_lower_case(session):
    _insert_fails(session, Participant(name="A", email="A@Gemeente.nl"))


def test_foreign_keys_are_enforced(session):
    _insert_fails(session, Edition(track_id=999_999, slug="x", name="x"))


def test_coordinator_without_organiser_must_be_admin(session):
    _insert_fails(session, Coordinator(email="c@example.org", name="C", password_hash="x"))
