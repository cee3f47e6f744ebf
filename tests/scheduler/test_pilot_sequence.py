"""The inclusion pilot from admission to the overdue nudge: every planned moment fired at its
own due time (time travel), mails through the outbox to a real SMTP server. Anna delivers the
best-practice text early in August; Bert never does."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time

from sqlmodel import select

from tests import factories
from trajectories.mail.drain import drain
from trajectories.mail.models import OutboxMessage
from trajectories.people import services as people
from trajectories.schedule import services as schedule
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import MomentStatus, PlannedMoment

END = datetime(2030, 11, 1, tzinfo=UTC)
ANNA_DELIVERS = datetime(2030, 8, 5, tzinfo=UTC)


def _next_moment(session) -> PlannedMoment | None:
    row = session.exec(select(PlannedMoment).where(PlannedMoment.status == MomentStatus.PLANNED)
                       .order_by(PlannedMoment.due_at, PlannedMoment.id)
                       .execution_options(populate_existing=True)).first()
    session.commit()  # end the read: on SQLite a transaction holds the write lock
    return row


def test_inclusion_pilot_from_admission_to_the_overdue_nudge(mail_app, session, smtp_sink):
    edition = factories.edition(session, coordinator_email="globalgoals@vng.example",
                              timezone="Europe/Amsterdam", eligibility="municipalities")
    schedule.plan_meeting(session, edition, on_date=date(2030, 4, 13), start=time(13, 30),
                                  end=time(15, 30), title="Aftrap: inclusie en de Global Goals")
    for day in (date(2030, 4, 29), date(2030, 5, 27), date(2030, 6, 24), date(2030, 9, 16)):
        schedule.plan_meeting(session, edition, on_date=day, title="Praktijksessie")
    deadline = schedule.set_deadline(session, edition, title="Best practice beschrijven",
                                     due_date=date(2030, 8, 15))
    anna = factories.participant(session, name="Anna de Vries", email="anna@gemeente.example",
                                 organisation_id=factories.municipality(session).id)
    bert = factories.participant(session, name="Bert Jansen", email="bert@gemeente.example",
                                 organisation_id=anna.organisation_id)
    for person in (anna, bert):
        people.enroll(session, edition, person)

    database, settings = mail_app.extensions["trajectories.db"], mail_app.config["SETTINGS"]
    fired = 0
    while (moment := _next_moment(session)) is not None and moment.due_at < END:
        if moment.due_at > ANNA_DELIVERS and not deadline_delivered(session, deadline, anna):
            people.submit(session, deadline, anna, text="Onze aanpak voor inclusie")
        process_moment(mail_app, moment.job_id, now=moment.due_at)
        drain(database, settings, now=moment.due_at)  # as the scheduler does after each moment
        fired += 1
        assert fired < 500, "the plan keeps growing"

    mails = smtp_sink.messages
    assert Counter(m["Message-ID"] for m in mails).most_common(1)[0][1] == 1
    kind_of = {message_id.strip("<>"): kind for message_id, kind in session.exec(
        select(OutboxMessage.message_id, OutboxMessage.kind)).all()}
    session.commit()

    def _kind(message) -> str:
        return kind_of[message["Message-ID"].strip("<>")]

    kinds = {address: [_kind(m) for m in mails if address in str(m["To"])]
             for address in ("anna@gemeente.example", "bert@gemeente.example")}
    for address, received in kinds.items():
        assert received[0] == "welcome", address
        assert "reminder" in received and "coaching" in received
    # Before Anna delivered, both were nudged; after, only Bert, up to the overdue nudge.
    assert kinds["anna@gemeente.example"].count("nudge") == 1
    assert "overdue" not in kinds["anna@gemeente.example"]
    bert_nudges = [k for k in kinds["bert@gemeente.example"] if k in ("nudge", "overdue")]
    assert bert_nudges == ["nudge", "nudge", "nudge", "overdue"]
    # The first session's reminders name its Dutch date and time, and came before it.
    reminders = [m for m in mails if "anna@" in str(m["To"]) and _kind(m) == "reminder"
                 and "13 april 2030" in m.get_body(("plain",)).get_content()]
    assert len(reminders) == 2
    assert "13:30" in reminders[0].get_body(("plain",)).get_content()
    assert any("globalgoals@vng.example" in str(m["To"]) for m in mails)  # weekly digests


def deadline_delivered(session, deadline, participant) -> bool:
    from trajectories.people.models import Submission

    found = session.exec(select(Submission).where(Submission.deadline_id == deadline.id,
                                                  Submission.participant_id == participant.id))
    delivered = found.first() is not None
    session.commit()
    return delivered
