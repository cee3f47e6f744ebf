"""Lending end to end through the test client and a real SMTP server: a municipality requests a
period (double opt-in), the coordinator approves (a mail with the hand-over and return days as
an iMIP invitation, parsed back), the reminders are planned and fire, a cancellation sends a
CANCEL; bad input changes nothing; the public page and feed carry no contact details."""

from __future__ import annotations

import re

import pytest
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from sqlmodel import select

from tests.auth import signed_in_coordinator
from tests.feeds_helpers import parse_both
from tests.lending.helpers import days, form, requested, world
from tests.public_world import closing_client, submit, text_of
from trajectories.accounts import services as accounts
from trajectories.lending import services as lending
from trajectories.lending.models import Loan, LoanStatus
from trajectories.mail.models import OutboxMessage
from trajectories.people.models import Participant
from trajectories.people.privacy import export
from trajectories.scheduler.jobs import process_moment
from trajectories.scheduler.models import MomentRun, MomentStatus, PlannedMoment

CONFIRM_RE = re.compile(r"https?://\S+?/uitlenen/(?:bevestigen|voorstel)\?t=[\w.\-]+")


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def client(app, session):
    return closing_client(app, session)


@pytest.fixture
def capsule(app, session):
    with app.test_request_context():
        vng, capsule = world(session)
    accounts.create_coordinator(session, email="c@vng.example", name="Carla",
                                password="een-lang-wachtwoord-2026", organiser=vng)
    return capsule


def follow(client, message):
    link = CONFIRM_RE.search(text_of(message)).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    return submit(client, path, {"t": path.split("t=", 1)[1]}, action=path.split("?", 1)[0])


def calendar_of(message) -> Calendar:
    """The mail's iMIP part, parsed by icalendar (returned) and by the strict `ical` package."""
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") in ("REQUEST", "CANCEL")
    body = part.get_payload(decode=True)
    strict = IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))
    assert len(strict.events) == 2
    assert [a.uri for a in strict.events[0].attendees] == ["mailto:f.elamrani@zwolle.example"]
    return Calendar.from_ical(body)


def loans(session) -> list[Loan]:
    rows = list(session.exec(select(Loan).order_by(Loan.id).execution_options(
        populate_existing=True)))
    session.commit()
    return rows


def test_request_confirm_approve_remind_cancel(app, client, session, smtp_sink, capsule):
    answer = submit(client, "/uitlenen/tijdscapsule", form(days(20), days(27)))
    assert "Kijk in je mailbox" in answer.get_data(as_text=True)
    assert loans(session) == []  # nothing stored before the link is followed
    [confirmation] = smtp_sink.wait_for(1)
    assert follow(client, confirmation).status_code == 302
    [loan] = loans(session)
    assert (loan.status, loan.starts_on, loan.ends_on) == (LoanStatus.REQUESTED, days(20),
                                                           days(27))

    signed_in_coordinator(client, "c@vng.example")
    queue = client.get(f"/beheer/uitlenen/{capsule.id}").get_data(as_text=True)
    assert "Zwolle" in queue and "f.elamrani@zwolle.example" in queue
    submit(client, f"/beheer/uitlenen/{capsule.id}", action=f"/beheer/uitlenen/aanvragen/"
           f"{loan.id}/goedkeuren")
    approved = smtp_sink.wait_for(2)[1]
    assert "Goedgekeurd: Tijdscapsule naar Zwolle" in str(approved["Subject"])
    assert approved["List-Unsubscribe"] is None  # the answer to their own request
    cal = calendar_of(approved)
    assert cal["METHOD"] == "REQUEST"
    events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [e.decoded("DTSTART") for e in events] == [days(20), days(27)]
    assert [str(e["SUMMARY"]) for e in events] == ["Overdracht: Tijdscapsule (Zwolle)",
                                                   "Terugbrengen: Tijdscapsule (Zwolle)"]
    assert str(events[0]["ATTENDEE"]) == "mailto:f.elamrani@zwolle.example"
    assert "Stadhuis" in str(events[0]["LOCATION"])

    # The reminders are moments of no edition; fired, each queues one mail with an unsubscribe.
    planned = list(session.exec(select(PlannedMoment).where(
        PlannedMoment.subject == f"loan:{loan.id}").order_by(PlannedMoment.due_at)))
    session.commit()
    assert [(m.kind, m.edition_id, m.status) for m in planned] == [
        ("loan_handover", None, MomentStatus.PLANNED), ("loan_return", None, MomentStatus.PLANNED)]
    for moment in planned:
        assert process_moment(app, moment.job_id, now=moment.due_at) == "sent"
        assert process_moment(app, moment.job_id, now=moment.due_at) == "gone"
    runs = list(session.exec(select(MomentRun)))
    assert [(r.edition_id, r.queued) for r in runs] == [(None, 1), (None, 1)]
    reminders = list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "loan")))
    session.commit()
    assert [r.subject for r in reminders] == ["Over 2 dagen: overdracht van Tijdscapsule",
                                              "Over 2 dagen: Tijdscapsule terugbrengen"]
    queue = client.get(f"/beheer/uitlenen/{capsule.id}").get_data(as_text=True)
    assert queue.count("(verstuurd)") == 2  # the reminders, as the coordinator sees them
    client.get("/")  # the client drains the outbox
    sent = smtp_sink.wait_for(4)
    assert sent[2]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The public page and feed: municipality and period, never the contact.
    page = client.get("/uitlenen/tijdscapsule").get_data(as_text=True)
    assert "Zwolle" in page and "elamrani" not in page and "Stadhuis" not in page
    feed = client.get("/feeds/uitlenen/tijdscapsule.ics")
    assert feed.content_type.startswith("text/calendar")
    assert b"elamrani" not in feed.data
    [event] = parse_both(feed.data)[0].walk("VEVENT")
    assert str(event["SUMMARY"]) == "Tijdscapsule in Zwolle"
    # A calendar that asks again with the feed's ETag gets 304 until the schedule changes.
    again = client.get("/feeds/uitlenen/tijdscapsule.ics",
                       headers={"If-None-Match": feed.headers["ETag"]})
    assert (again.status_code, again.data) == (304, b"")

    # Cancelled: a CANCEL for both days, the reminders still ahead removed.
    answer = submit(client, f"/beheer/uitlenen/{capsule.id}",
                    {"reason": "De capsule is beschadigd."},
                    action=f"/beheer/uitlenen/aanvragen/{loan.id}/annuleren")
    assert answer.status_code == 302
    cancelled = smtp_sink.wait_for(5)[4]
    assert calendar_of(cancelled)["METHOD"] == "CANCEL"
    assert "De capsule is beschadigd." in text_of(cancelled)
    assert loans(session)[0].status == LoanStatus.CANCELLED
    changed = client.get("/feeds/uitlenen/tijdscapsule.ics",
                         headers={"If-None-Match": feed.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != feed.headers["ETag"]


def test_bad_requests_are_refused_and_send_nothing(app, client, session, smtp_sink, capsule):
    cases = [
        (form(days(20), days(10)), "De einddatum ligt vóór de begindatum."),
        (form(days(-3), days(10)), "De periode kan niet in het verleden beginnen."),
        (form(days(5), days(300)), "Een uitlening duurt hoogstens"),
        (form(days(5), days(8), starts_on="morgen"), "vul een datum in"),
        (form(days(5), days(8), municipality="GM9999"), "Kies je gemeente uit de lijst."),
        (form(days(5), days(8), email="geen-adres"), "Vul een geldig e-mailadres in"),
        (form(days(5), days(8), place=""), "is verplicht"),
    ]
    for n, (data, expected) in enumerate(cases):
        if data["email"] == form(days(1), days(2))["email"]:  # 5 per hour per address
            data["email"] = f"persoon{n}@zwolle.example"
        answer = submit(client, "/uitlenen/tijdscapsule", data)
        assert answer.status_code == 422, expected
        assert expected in answer.get_data(as_text=True), expected
    assert client.get("/uitlenen/bestaat-niet").status_code == 404
    assert client.get("/feeds/uitlenen/bestaat-niet.ics").status_code == 404
    assert list(session.exec(select(OutboxMessage))) == []
    session.commit()


def test_unknown_or_unavailable_object_and_bad_decisions(app, session, capsule):
    with app.test_request_context():
        with pytest.raises(lending.InvalidInput, match="bestaat niet"):
            lending.request_loan(session, 987654, form(days(5), days(8)))
        loan = requested(session, capsule, days(5), days(8))
        with pytest.raises(lending.InvalidInput, match="Reden is verplicht"):
            lending.decline(session, loan, {"reason": " "})
        with pytest.raises(lending.InvalidInput, match="vóór de begindatum"):
            lending.propose(session, loan, {"proposed_starts_on": days(9).isoformat(),
                                            "proposed_ends_on": days(7).isoformat()})
        with pytest.raises(lending.InvalidInput, match="Alleen een goedgekeurde"):
            lending.cancel(session, loan, {"reason": "x"})
        lending.decline(session, loan, {"reason": "Dan staat hij al in Utrecht."})
        with pytest.raises(lending.InvalidInput, match="Alleen een aanvraag die wacht"):
            lending.approve(session, loan)
        lending.update_object(session, capsule, {"name": "Tijdscapsule",
                                                 "slug": "tijdscapsule", "available": ""})
        with pytest.raises(lending.InvalidInput, match="niet te leen"):
            lending.request_loan(session, capsule.id, form(days(5), days(8)))


def test_propose_another_period_accepted_by_the_mail_link(app, client, session, smtp_sink,
                                                         capsule):
    with app.test_request_context():
        loan = requested(session, capsule, days(20), days(27))
    signed_in_coordinator(client, "c@vng.example")
    submit(client, f"/beheer/uitlenen/{capsule.id}",
           {"proposed_starts_on": days(40).isoformat(), "proposed_ends_on": days(44).isoformat()},
           action=f"/beheer/uitlenen/aanvragen/{loan.id}/voorstellen")
    [proposal] = smtp_sink.wait_for(1)
    assert "Een andere periode voor Tijdscapsule" in str(proposal["Subject"])
    assert follow(client, proposal).status_code == 302
    [loan] = loans(session)
    assert (loan.status, loan.starts_on, loan.ends_on) == (LoanStatus.APPROVED, days(40),
                                                           days(44))
    approved = smtp_sink.wait_for(2)[1]
    assert [e.decoded("DTSTART") for e in calendar_of(approved).walk("VEVENT")] == \
        [days(40), days(44)]
    assert follow(client, proposal).status_code == 400  # once


def test_another_organisers_coordinator_gets_404(app, client, session, capsule):
    from tests import factories
    other = factories.organiser(session, slug="vvsg", name="VVSG", country="BE")
    accounts.create_coordinator(session, email="h@vvsg.example", name="Hanne",
                                password="een-lang-wachtwoord-2026", organiser=other)
    signed_in_coordinator(client, "h@vvsg.example")
    assert client.get(f"/beheer/uitlenen/{capsule.id}").status_code == 404
    assert client.get(f"/beheer/uitlenen/{capsule.id}/bewerken").status_code == 404
    assert "/uitlenen/tijdscapsule" not in client.get("/beheer/uitlenen/").get_data(as_text=True)
    # The logbook tells each organiser of its own objects only.
    assert "Uitleenobject opgeslagen." not in client.get("/beheer/logboek").get_data(as_text=True)


def test_the_coordinator_creates_and_edits_an_object(app, client, session, capsule):
    signed_in_coordinator(client, "c@vng.example")
    answer = submit(client, "/beheer/uitlenen/nieuw", {"name": "Menukaart-koffer",
                                                        "slug": "tijdscapsule"})
    assert answer.status_code == 400
    assert "Deze korte naam is al in gebruik" in answer.get_data(as_text=True)
    answer = submit(client, "/beheer/uitlenen/nieuw", {"name": "Koffer", "slug": "bevestigen"})
    assert "Deze korte naam gebruikt de website zelf" in answer.get_data(as_text=True)
    answer = submit(client, "/beheer/uitlenen/nieuw", {"name": "Koffer", "slug": "Met Spaties"})
    assert "alleen kleine letters" in answer.get_data(as_text=True)
    answer = submit(client, "/beheer/uitlenen/nieuw", {
        "name": "Menukaart-koffer", "slug": "menukaart-koffer", "available": "y",
        "description": "Een koffer met voorbeelden (voorbeeld)."})
    assert answer.status_code == 302
    assert "Menukaart-koffer" in client.get("/uitlenen/").get_data(as_text=True)
    object_id = int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    answer = submit(client, f"/beheer/uitlenen/{object_id}/bewerken", {
        "name": "Menukaart-koffer", "slug": "menukaart-koffer", "description": ""})
    assert answer.status_code == 302
    assert "Uitleenobject opgeslagen." in client.get("/beheer/logboek").get_data(as_text=True)
    page = client.get("/uitlenen/menukaart-koffer").get_data(as_text=True)
    assert "is op dit moment niet te leen" in page and "Periode aanvragen" not in page
    assert client.post("/beheer/uitlenen/aanvragen/1/weggooien",
                       data={}).status_code in (400, 404)


def test_the_contacts_export_holds_their_loans(app, session, capsule):
    with app.test_request_context():
        requested(session, capsule, days(20), days(27))
    person = session.exec(select(Participant).where(
        Participant.email == "f.elamrani@zwolle.example")).one()
    [loan] = export(session, person)["loans"]
    assert loan["object"] == "Tijdscapsule" and loan["municipality"] == "Zwolle"
    assert (loan["from"], loan["to"], loan["status"]) == (days(20).isoformat(),
                                                          days(27).isoformat(), "requested")
