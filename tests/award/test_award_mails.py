"""The award's mails: a receipt to who submitted a nomination, and the jury's published outcome
to who started each submitted nomination, once per outcome, in their language."""

from __future__ import annotations

from sqlmodel import select

from tests.award.test_award_services import _submitted
from tests.award.world import OPEN
from tests.completion.clock import clock_at
from trajectories.award import services as award
from trajectories.award.models import Publication
from trajectories.mail.models import OutboxMessage


def _mails(session, kind):
    rows = session.exec(select(OutboxMessage.to, OutboxMessage.subject, OutboxMessage.text)
                        .where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()
    session.commit()
    return rows


def test_a_submitted_nomination_gets_a_receipt(session, world):
    with clock_at(OPEN):
        _submitted(session, world)
    [(to, subject, text)] = _mails(session, "public_aw_received")
    assert to == "anna@utrecht.example"
    assert subject == "Nominatie ontvangen: Utrecht Global Goals Stad"
    assert "de nominatie van Utrecht" in text and "/prijs/2030" in text
    assert "30 juni 2030" in text  # until when it can still be changed


def test_the_published_outcome_reaches_each_nominee_once(session, world):
    with clock_at(OPEN):
        utrecht = _submitted(session, world)
        _submitted(session, world, who=world.bert)
    award.set_shortlist(session, world.round, [utrecht.id])
    award.publish(session, world.round, Publication.SHORTLIST)
    award.publish(session, world.round, Publication.SHORTLIST)  # again: no second mail
    outcome = _mails(session, "public_aw_outcome")
    assert [(to, subject) for to, subject, _text in outcome] == [
        ("anna@utrecht.example",
         'Utrecht staat op de shortlist van "Meest Inspirerende Global Goals Gemeente 2030"'),
        (world.bert.email,
         'De jury van "Meest Inspirerende Global Goals Gemeente 2030" heeft gekozen')]
    assert "staat er deze keer niet op" in outcome[1][2]

    award.choose_winner(session, world.round, utrecht.id)
    award.publish(session, world.round, Publication.WINNER)
    outcome = _mails(session, "public_aw_outcome")
    assert len(outcome) == 3  # the winner hears it; Zwolle was told already
    assert outcome[2][0] == "anna@utrecht.example"
    assert outcome[2][1] == 'Utrecht wint "Meest Inspirerende Global Goals Gemeente 2030"'
