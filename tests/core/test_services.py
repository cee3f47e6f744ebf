"""Every service's happy path, its bad input, and that bad input writes nothing."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests import factories
from trajectories.accounts import services as accounts
from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core.clock import to_local, utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.models import EventRecord
from trajectories.people import services as people
from trajectories.people.models import EnrollmentStatus, OrganisationKind, Participant, Submission
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Meeting, MeetingStatus


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_plan_meeting_stores_utc_and_keeps_local_time(session):
    edition = factories.edition(session, timezone="Europe/Amsterdam")
    meeting = factories.meeting(session, edition, on_date=date(2021, 4, 13),
                                start=time(13, 30), end=time(15, 30))
    assert meeting.starts_at.hour == 11  # CEST is UTC+2
    assert to_local(meeting.starts_at, edition.timezone).strftime("%H:%M") == "13:30"


def test_plan_meeting_without_times_is_to_be_announced(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition, on_date=date(2021, 4, 29), start=None, end=None)
    assert meeting.time_to_be_announced
    assert meeting.on_date == date(2021, 4, 29)


def test_plan_meeting_end_before_start_writes_nothing(session):
    edition = factories.edition(session)
    before = count(session, Meeting)
    with pytest.raises(InvalidInput) as error:
        factories.meeting(session, edition, start=time(15, 30), end=time(13, 30))
    assert error.value.field == "end"
    assert "eindtijd" in error.value.message
    assert count(session, Meeting) == before


def test_plan_meeting_in_the_dst_gap_is_refused(session):
    edition = factories.edition(session, timezone="Europe/Brussels")
    with pytest.raises(InvalidInput, match="zomertijd"):
        factories.meeting(session, edition, on_date=date(2027, 3, 28), start=time(2, 30),
                          end=time(3, 30))


def test_thirteen_thirty_stays_local_across_dst(session):
    edition = factories.edition(session, timezone="Europe/Amsterdam")
    winter = factories.meeting(session, edition, on_date=date(2027, 3, 25))
    summer = factories.meeting(session, edition, on_date=date(2027, 4, 1))
    assert (winter.starts_at.hour, summer.starts_at.hour) == (12, 11)
    assert {to_local(m.starts_at, edition.timezone).strftime("%H:%M") for m in (winter, summer)} \
        == {"13:30"}


def test_edition_with_unknown_zone_is_refused(session):
    track = factories.track(session)
    with pytest.raises(InvalidInput, match="tijdzone"):
        catalogue.create_edition(session, track, slug="x", name="X", timezone="Europe/Atlantis")
    assert count(session, Edition) == 0


def test_negative_capacity_is_refused_by_the_service(session):
    track = factories.track(session)
    with pytest.raises(InvalidInput, match="negatief"):
        catalogue.create_edition(session, track, slug="x", name="X", capacity=-2)


def test_track_with_sdg_18_is_refused(session):
    organiser = factories.organiser(session)
    with pytest.raises(InvalidInput, match="1 tot en met 17"):
        catalogue.create_track(session, organiser, slug="x", title="X", sdgs=[3, 18])
    assert count(session, Track) == 0


def test_duplicate_track_slug_gets_a_message(session):
    track = factories.track(session)
    with pytest.raises(InvalidInput) as error:
        catalogue.create_track(session, session.get(Organiser, track.organiser_id),
                               slug=track.slug, title="Y")
    assert error.value.field == "slug"


@pytest.mark.parametrize("slug", ["p", "mijn", "Beheer"])
def test_an_organiser_cannot_take_a_slug_the_site_uses(session, slug):
    with pytest.raises(InvalidInput, match="gebruikt de website zelf"):
        catalogue.create_organiser(session, slug=slug, name="Gemeente P", country="NL",
                                   email="info@p.example")
    session.rollback()
    assert session.exec(select(func.count()).select_from(Organiser)).one() == 0


def test_reserved_organiser_slugs_cover_every_first_segment_of_the_sites_paths(app):
    """`/<organiser>/` is an organiser's page: a new route must not collide with one."""
    taken = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()}
    taken = {segment for segment in taken if segment and not segment.startswith("<")
             and "." not in segment}
    assert taken <= catalogue.RESERVED_ORGANISER_SLUGS


def test_duplicate_email_in_another_case_is_refused(session):
    factories.participant(session, email="Sanne.Bakker@Noordenveld.nl")
    with pytest.raises(InvalidInput, match="e-mailadres"):
        factories.participant(session, email="sanne.bakker@NOORDENVELD.nl")
    assert count(session, Participant) == 1
    assert people.find_participant(session, "SANNE.bakker@noordenveld.nl") is not None


def test_malformed_email_is_refused(session):
    with pytest.raises(InvalidInput) as error:
        factories.participant(session, email="sanne@\nBcc: everyone@example.org")
    assert error.value.field == "email"


def test_title_with_control_characters_is_refused(session):
    edition = factories.edition(session)
    with pytest.raises(InvalidInput, match="ongeldige tekens"):
        factories.meeting(session, edition, title="Sessie\r\nBcc: x@example.org")


def test_enroll_admits_until_full_then_waitlists(session):
    edition = factories.edition(session, capacity=2)
    statuses = [people.enroll(session, edition, factories.participant(session)).status
                for _ in range(3)]
    assert statuses == ["admitted", "admitted", "waitlisted"]


def test_enroll_twice_returns_the_same_enrollment(session):
    edition = factories.edition(session)
    participant = factories.participant(session)
    first = people.enroll(session, edition, participant)
    assert people.enroll(session, edition, participant).id == first.id


def test_admit_past_capacity_is_refused(session):
    edition = factories.edition(session, capacity=1)
    people.enroll(session, edition, factories.participant(session))
    waiting = people.enroll(session, edition, factories.participant(session))
    with pytest.raises(InvalidInput, match="vol"):
        people.admit(session, waiting)
    session.refresh(waiting)
    assert waiting.status == EnrollmentStatus.WAITLISTED


def test_approval_required_means_applied_then_admitted(session):
    edition = factories.edition(session, requires_approval=True)
    enrollment = people.enroll(session, edition, factories.participant(session))
    assert enrollment.status == EnrollmentStatus.APPLIED
    assert people.admit(session, enrollment).status == EnrollmentStatus.ADMITTED


def test_municipalities_only_refuses_other_bodies(session):
    edition = factories.edition(session, eligibility="municipalities")
    body = people.create_organisation(session, name="Provincie Drenthe",
                                      kind=OrganisationKind.PROVINCE, country="NL")
    participant = factories.participant(session, organisation_id=body.id)
    with pytest.raises(InvalidInput, match="alleen voor gemeenten"):
        people.enroll(session, edition, participant)
    town = factories.municipality(session)
    ok = factories.participant(session, organisation_id=town.id)
    assert people.enroll(session, edition, ok).status == EnrollmentStatus.ADMITTED


def test_withdrawing_twice_is_refused(session):
    edition = factories.edition(session)
    enrollment = people.enroll(session, edition, factories.participant(session))
    people.withdraw(session, enrollment)
    with pytest.raises(InvalidInput, match="al ingetrokken"):
        people.withdraw(session, enrollment)


def test_withdrawal_admits_the_first_on_the_waiting_list(session):
    edition = factories.edition(session, capacity=1)
    first = people.enroll(session, edition, factories.participant(session))
    second = people.enroll(session, edition, factories.participant(session))
    third = people.enroll(session, edition, factories.participant(session))
    people.withdraw(session, first)
    session.refresh(second)
    session.refresh(third)
    assert (second.status, third.status) == ("admitted", "waitlisted")


def test_reschedule_keeps_uid_and_raises_sequence(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition)
    uid = meeting.uid
    schedule.reschedule_meeting(session, meeting, on_date=date(2030, 4, 20), start=time(10),
                                end=time(12))
    assert (meeting.uid, meeting.sequence, meeting.on_date) == (uid, 1, date(2030, 4, 20))


def test_reschedule_to_the_same_time_changes_nothing(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition)
    schedule.reschedule_meeting(session, meeting, on_date=meeting.on_date, start=time(13, 30),
                                end=time(15, 30))
    assert meeting.sequence == 0


def test_cancel_keeps_the_meeting_and_refuses_twice(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition)
    schedule.cancel_meeting(session, meeting)
    assert session.get(Meeting, meeting.id).status == MeetingStatus.CANCELLED
    with pytest.raises(InvalidInput, match="al geannuleerd"):
        schedule.cancel_meeting(session, meeting)


def test_schedule_changes_move_the_edition_forward(session):
    edition = factories.edition(session)
    stamp = edition.updated_at
    deadline = schedule.set_deadline(session, edition, title="Tekst", due_date=date(2030, 8, 15))
    after_set = session.get(Edition, edition.id).updated_at
    schedule.remove_deadline(session, deadline)
    after_remove = session.get(Edition, edition.id).updated_at
    assert stamp <= after_set <= after_remove
    assert after_remove > stamp


def test_submission_after_the_due_date_is_late(session):
    edition = factories.edition(session)
    participant = factories.participant(session)
    people.enroll(session, edition, participant)
    past = schedule.set_deadline(session, edition, title="Oud",
                                 due_date=to_local(utcnow(), edition.timezone).date()
                                 - timedelta(days=1))
    future = schedule.set_deadline(session, edition, title="Nieuw", due_date=date(2099, 1, 1))
    assert people.submit(session, past, participant, text="tekst").late is True
    assert people.submit(session, future, participant, text="tekst").late is False


def test_extension_makes_a_submission_on_time(session):
    edition = factories.edition(session)
    participant = factories.participant(session)
    people.enroll(session, edition, participant)
    yesterday = to_local(utcnow(), edition.timezone).date() - timedelta(days=1)
    deadline = schedule.set_deadline(session, edition, title="Tekst", due_date=yesterday)
    schedule.extend_deadline(session, deadline, participant, due_date=yesterday + timedelta(7))
    assert people.submit(session, deadline, participant, text="tekst").late is False


def test_resubmitting_replaces_the_submission(session):
    edition = factories.edition(session)
    participant = factories.participant(session)
    people.enroll(session, edition, participant)
    deadline = schedule.set_deadline(session, edition, title="Tekst", due_date=date(2099, 1, 1))
    people.submit(session, deadline, participant, text="eerste")
    people.submit(session, deadline, participant, text="tweede")
    assert [s.text for s in session.exec(select(Submission))] == ["tweede"]


def test_empty_submission_and_outsiders_are_refused(session):
    edition = factories.edition(session)
    deadline = schedule.set_deadline(session, edition, title="Tekst", due_date=date(2099, 1, 1))
    outsider = factories.participant(session)
    with pytest.raises(InvalidInput, match="tekst of een bestand"):
        people.submit(session, deadline, outsider, text="  ")
    with pytest.raises(InvalidInput, match="toegelaten"):
        people.submit(session, deadline, outsider, text="tekst")
    assert count(session, Submission) == 0


def test_attendance_only_for_admitted_participants(session):
    edition = factories.edition(session)
    meeting = factories.meeting(session, edition)
    member = factories.participant(session)
    people.enroll(session, edition, member)
    outsider = factories.participant(session)
    with pytest.raises(InvalidInput):
        people.record_attendance(session, meeting, {member.id: True, outsider.id: True})
    people.record_attendance(session, meeting, {member.id: True})


def test_coordinator_password_is_hashed_and_checked(session):
    organiser = factories.organiser(session)
    accounts.create_coordinator(session, email="Coord@VNG.example", name="C",
                                password="lang genoeg wachtwoord", organiser=organiser)
    coordinator = accounts.authenticate(session, "coord@vng.example", "lang genoeg wachtwoord")
    assert coordinator is not None
    assert "lang genoeg" not in coordinator.password_hash
    assert coordinator.password_hash.startswith("$argon2id$")
    assert accounts.authenticate(session, "coord@vng.example", "verkeerd") is None
    assert accounts.authenticate(session, "nobody@vng.example", "lang genoeg wachtwoord") is None


def test_short_password_is_refused(session):
    organiser = factories.organiser(session)
    with pytest.raises(InvalidInput, match="minstens"):
        accounts.create_coordinator(session, email="c@vng.example", name="C", password="kort",
                                    organiser=organiser)


def test_every_change_is_in_the_event_log_with_its_actor(db):
    with db.session(actor="coordinator:7") as session:
        edition = factories.edition(session)
        factories.meeting(session, edition)
        names = [(r.name, r.actor) for r in session.exec(
            select(EventRecord).order_by(EventRecord.id))]
    assert names[-2:] == [("EditionSaved", "coordinator:7"), ("MeetingPlanned", "coordinator:7")]
