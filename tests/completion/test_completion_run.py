"""An edition run to its end through the real scheduler path (`process_moment`, as the
scheduler's tests fire moments): the completion rules are applied once the last session is over
and the last deadline passed; certificates are mailed through a real SMTP server; the public page
confirms a certificate and denies a made-up code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.completion.world import attend, build
from trajectories.completion import services as completion
from trajectories.completion.models import Certificate, CompletionDecision
from trajectories.core.errors import InvalidInput
from trajectories.core.models import EventRecord
from trajectories.mail.drain import drain
from trajectories.mail.models import OutboxMessage
from trajectories.people import privacy
from trajectories.people import services as people
from trajectories.people.models import Enrollment, Participant
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import PlannedMoment


@pytest.fixture
def app(mail_app):
    return mail_app


def _read(session, query):
    rows = list(session.exec(query.execution_options(populate_existing=True)))
    session.commit()
    return rows


def _status(session, world, person) -> str:
    [row] = _read(session, select(Enrollment).where(Enrollment.participant_id == person.id,
                                                    Enrollment.edition_id == world.edition.id))
    return row.status


def _run_the_edition(session, world):
    """Anna attends all three sessions and hands in; Bert (Assen) misses the second session but
    hands in, also his municipality's plan; Carl (Assen) attends all but never hands in his own."""
    first, second, third = world.meetings
    attend(session, world, first, world.anna, world.bert, world.carl)
    attend(session, world, second, world.anna, world.carl)
    attend(session, world, third, world.anna, world.bert, world.carl)
    people.submit(session, world.own, world.anna, text="Onze analyse")
    people.submit(session, world.team, world.anna, text="Plan Noordenveld")
    people.submit(session, world.own, world.bert, text="Analysis")
    people.submit(session, world.team, world.bert, text="Plan Assen")


def test_the_completion_moment_is_planned_after_the_last_session_and_deadline(session):
    world = build(session)
    [moment] = _read(session, select(PlannedMoment).where(PlannedMoment.kind == "completion"))
    # The third session ends 15:30 CEST on 13 June 2030, after the last deadline (1 June).
    assert moment.job_id == f"completion:cohort:{world.edition.id}"
    assert moment.due_at == datetime(2030, 6, 13, 13, 30, tzinfo=UTC)
    assert moment.status == "planned"


def test_an_edition_run_to_its_end(app, client, session, smtp_sink):
    world = build(session)
    _run_the_edition(session, world)
    enrollment = _read(session, select(Enrollment).where(
        Enrollment.participant_id == world.carl.id))[0]
    # The coordinator knows Carl handed his analysis in on paper.
    with app.app_context():
        completion.override(session, enrollment, app.config["SETTINGS"], completed=True,
                            reason="Analyse op papier ingeleverd")
    [moment] = _read(session, select(PlannedMoment).where(PlannedMoment.kind == "completion"))
    assert process_moment(app, moment.job_id, now=moment.due_at + timedelta(minutes=1)) == "sent"
    assert process_moment(app, moment.job_id, now=moment.due_at + timedelta(minutes=2)) == "gone"

    assert _status(session, world, world.anna) == "completed"
    assert _status(session, world, world.bert) == "admitted"  # missed a session
    assert _status(session, world, world.carl) == "completed"  # overridden, kept by the rules
    decisions = {d.enrollment_id: d for d in _read(session, select(CompletionDecision))}
    assert sorted((d.attended, d.sessions, d.overridden) for d in decisions.values()) == [
        (2, 3, False), (3, 3, False), (3, 3, True)]
    [applied] = _read(session, select(EventRecord).where(EventRecord.name == "CompletionApplied"))
    assert applied.payload["completed"] == [world.anna.id]
    assert applied.payload["not_completed"] == [world.bert.id]

    mails = _read(session, select(OutboxMessage).where(OutboxMessage.kind == "certificate"))
    assert sorted(m.to for m in mails) == ["anna@noordenveld.example", "carl@assen.example"]
    drain(app.extensions["trajectories.db"], app.config["SETTINGS"])
    smtp_sink.wait_for(2)
    [mail] = smtp_sink.to("anna@noordenveld.example")
    assert mail["Subject"] == "Je deelnamebewijs voor Gemeenten4GlobalGoals"
    body = mail.get_body(("plain",)).get_content()
    [anna_certificate] = _read(session, select(Certificate).where(
        Certificate.participant_id == world.anna.id))
    assert f"/bewijs/{anna_certificate.code}" in body
    assert len(anna_certificate.code) >= 16

    page = client.get(f"/bewijs/{anna_certificate.code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Anna de Vries" in text and "Gemeenten4GlobalGoals" in text and "Geldig" in text
    assert "Noordenveld" not in text  # name, track, edition and period only
    assert "anna@noordenveld.example" not in text  # no more than the certificate shows
    made_up = client.get("/bewijs/AAAAAAAAAAAAAAAA")
    assert made_up.status_code == 404
    assert "Niet gevonden" in made_up.get_data(as_text=True)


def test_applying_again_keeps_an_override_and_an_override_needs_a_reason(app, session):
    world = build(session)
    _run_the_edition(session, world)
    enrollment = _read(session, select(Enrollment).where(
        Enrollment.participant_id == world.anna.id))[0]
    with app.test_request_context():
        with pytest.raises(InvalidInput):
            completion.override(session, enrollment, app.config["SETTINGS"], completed=False,
                                reason="  ")
        completion.override(session, enrollment, app.config["SETTINGS"], completed=False,
                            reason="Fraude met de presentielijst")
        completion.apply_rules(session, world.edition.id, app.config["SETTINGS"])
        session.commit()
    assert _status(session, world, world.anna) == "admitted"
    assert _read(session, select(Certificate)) == []


def _complete_all(app, session, world):
    """Everyone attends everything and hands in; the rules are applied."""
    for meeting in world.meetings:
        attend(session, world, meeting, world.anna, world.bert, world.carl)
    for person in (world.anna, world.bert, world.carl):
        people.submit(session, world.own, person, text="Analyse")
    people.submit(session, world.team, world.anna, text="Plan")
    people.submit(session, world.team, world.bert, text="Plan")
    with app.app_context():
        completion.apply_rules(session, world.edition.id, app.config["SETTINGS"])
        session.commit()


def test_a_revoked_certificate_stays_revoked_when_the_rules_are_applied_again(app, client,
                                                                              session):
    world = build(session)
    _complete_all(app, session, world)
    certificate = _read(session, select(Certificate).where(
        Certificate.participant_id == world.anna.id))[0]
    with app.test_request_context():
        completion.revoke_certificate(session, certificate, "Verkeerde naam")
        completion.apply_rules(session, world.edition.id, app.config["SETTINGS"])
        session.commit()
    again = _read(session, select(Certificate).where(Certificate.participant_id == world.anna.id))
    assert [(c.code, c.revoked_reason) for c in again] == [(certificate.code, "Verkeerde naam")]
    assert client.get(f"/bewijs/{certificate.code}").status_code == 404


def test_erasing_an_account_revokes_its_certificates(app, client, session):
    world = build(session)
    _complete_all(app, session, world)
    [certificate] = _read(session, select(Certificate).where(
        Certificate.participant_id == world.carl.id))
    assert client.get(f"/bewijs/{certificate.code}").status_code == 200
    with app.test_request_context():
        privacy.erase(session, session.get(Participant, world.carl.id))
        session.commit()
    answer = client.get(f"/bewijs/{certificate.code}")
    assert answer.status_code == 404 and "Carl Smit" not in answer.get_data(as_text=True)
    [certificate] = _read(session, select(Certificate).where(
        Certificate.participant_id == world.carl.id))
    assert certificate.revoked_reason == "account gewist"


def test_a_number_of_sessions_and_no_deadlines_can_be_the_rule(app, session):
    world = build(session)
    _run_the_edition(session, world)
    completion.save_rules(session, world.edition, minimum=2, unit="sessions",
                          deadlines_required=False)
    with app.app_context():
        completion.apply_rules(session, world.edition.id, app.config["SETTINGS"])
        session.commit()
    # Bert attended two of three: enough now; Carl owes his analysis: no longer asked.
    assert [_status(session, world, p) for p in (world.anna, world.bert, world.carl)] == [
        "completed", "completed", "completed"]
    completion.save_rules(session, world.edition, minimum=3, unit="sessions",
                          deadlines_required=True)
    with app.app_context():
        completion.apply_rules(session, world.edition.id, app.config["SETTINGS"])
        session.commit()
    # Stricter rules applied again: Bert and Carl no longer completed, their certificates revoked.
    assert [_status(session, world, p) for p in (world.anna, world.bert, world.carl)] == [
        "completed", "admitted", "admitted"]
    revoked = _read(session, select(Certificate).where(Certificate.revoked_at.is_not(None)))
    assert sorted(c.participant_id for c in revoked) == sorted([world.bert.id, world.carl.id])
