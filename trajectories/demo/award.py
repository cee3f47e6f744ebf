"""Gemeenten4GlobalGoals' yearly award as demo data.

The source (000_…) says only that VNG "jaarlijks een ‘Meest Inspirerende Global Goals Gemeente’
uitroept". The criteria are drawn from the campaign's own aims in that text (connecting the
goals to local policy, making them known, a network of municipalities sharing best practices);
the nominations, their texts, the jury and the scores are examples and say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta

from sqlmodel import Session, select

from trajectories.accounts import invitations
from trajectories.accounts import queries as account_queries
from trajectories.accounts import services as accounts
from trajectories.accounts.models import Coordinator
from trajectories.award import queries
from trajectories.award import services as award
from trajectories.award.models import AwardNomination, AwardRound, Publication
from trajectories.catalogue.models import Edition, Organiser
from trajectories.core.clock import to_utc
from trajectories.people.models import Enrollment, EnrollmentStatus, Participant, Submission

TITLE = "Meest Inspirerende Global Goals Gemeente {year}"
INTRO = ("Elk jaar roept Gemeenten4GlobalGoals de meest inspirerende Global Goals-gemeente uit. "
         "Nomineer je gemeente met wat zij deed om de Global Goals lokaal handen en voeten te "
         "geven. (Voorbeeld: de criteria en data van deze demo-ronde zijn verzonnen.)")
#: Drawn from the campaign's aims in the source; the weights are examples.
CRITERIA = [
    ("Verbinding van de Global Goals met lokaal beleid", 3),
    ("Bekendheid bij inwoners en betrokkenheid", 2),
    ("Samenwerking met andere gemeenten en partners", 2),
    ("Navolgbaar voor andere gemeenten", 1),
]
NOTE = " (Voorbeeld: deze nominatie is verzonnen voor de demo.)"
#: (e-mail of the civil servant, title, text, submitted?) for the current round.
CURRENT = [
    ("j.devries@utrecht.example", "Utrecht: Global Goals in elke wijk",
     "Utrecht koppelt de wijkplannen aan de Global Goals en laat inwoners zelf kiezen aan welk "
     "doel hun buurt werkt.", True),
    ("f.elamrani@zwolle.example", "Zwolle: duurzaam inkopen als hefboom",
     "Zwolle toetst elke aanbesteding aan de doelen 8, 12 en 13 en deelt haar criteria met de "
     "regiogemeenten.", True),
    ("p.hendriks@tilburg.example", "Tilburg: jongeren aan zet",
     "Concept: YoungChallengers van Tilburg organiseren een Global Goals-week.", False),
]
#: (e-mail, title, text, shortlisted, winner) for last year's round, published with its winner.
PAST = [
    ("l.mulder@groningen.example", "Groningen: energiecoöperaties voor iedereen",
     "Groningen hielp twintig buurten een energiecoöperatie te starten.", True, True),
    ("s.bakker@noordenveld.example", "Noordenveld: inclusie als Global Goal",
     "Noordenveld verbond het sociaal domein met doel 10.", True, False),
    ("d.visser@almere.example", "Almere: de Global Goals in de klas",
     "Almere bracht de doelen op alle basisscholen.", False, False),
]
JURY = ("jury@vng.example", "Jurylid (demo)")


def _round(session: Session, organiser: Organiser, year: int, opens_on: date, closes_on: date):
    found = session.exec(select(AwardRound).where(AwardRound.organiser_id == organiser.id,
                                                  AwardRound.year == year)).first()
    if found is not None:
        return found, False
    return award.create_round(session, organiser, year=year, title=TITLE.format(year=year),
                              intro=INTRO, opens_on=opens_on, closes_on=closes_on,
                              criteria=CRITERIA), True


def _person(session: Session, email: str) -> Participant:
    return session.exec(select(Participant).where(Participant.email == email)).one()


def _past_nominations(session: Session, past: AwardRound) -> None:
    """Last year's nominations as they were: handed in before the close (history, written as
    it was, like the demo's other past hand-ins), shortlisted, one winner, all published."""
    edition = session.get(Edition, past.edition_id)
    deadline = award.deadline_of(session, past)
    handed_in = to_utc(past.closes_on - timedelta(days=5), time(11), edition.timezone)
    for email, title, text, shortlisted, winner in PAST:
        person = _person(session, email)
        session.add(Enrollment(participant_id=person.id, edition_id=edition.id,
                               status=EnrollmentStatus.ADMITTED))
        submission = Submission(deadline_id=deadline.id, participant_id=person.id,
                                text=f"{title}\n\n{text}{NOTE}", submitted_at=handed_in)
        session.add(submission)
        session.flush()
        session.add(AwardNomination(round_id=past.id, organisation_id=person.organisation_id,
                                    started_by_id=person.id, title=title, text=text + NOTE,
                                    submission_id=submission.id, submitted_at=handed_in,
                                    shortlisted=shortlisted, winner=winner))
    past.publication = Publication.WINNER
    session.add(past)
    session.commit()


def _jury(session: Session, rounds: list[AwardRound], password: str) -> Coordinator:
    """The demo's juror on both rounds, with the printed password (no invitation mail)."""
    for one in rounds:
        juror = account_queries.by_email(session, JURY[0])
        if juror is None or not queries.is_juror(session, one.id, juror.id):
            juror = award.add_juror(session, one, email=JURY[0], name=JURY[1], invite=False)
    if not invitations.has_password(juror):
        accounts.set_password(session, juror, password)
    return juror


def _score(session: Session, one: AwardRound, juror: Coordinator, spread: list[list[int]]) -> None:
    crits = queries.criteria(session, one.id)
    for row, values in zip(queries.nominations(session, one, submitted_only=True), spread,
                           strict=False):
        award.score(session, one, juror.id, row["nomination"],
                    {c.id: str(v) for c, v in zip(crits, values, strict=True)})


def load_award(session: Session, organiser: Organiser, today: date, password: str
               ) -> Iterator[str]:
    """This year's round, open, with two submitted nominations and one started (who gets the
    nudges), and last year's round with its published shortlist and winner."""
    year = today.year
    past, new_past = _round(session, organiser, year - 1, date(year - 1, 3, 1),
                            date(year - 1, 6, 30))
    if new_past:
        _past_nominations(session, past)
        yield f"award   {year - 1} (winner published)"
    current, new_current = _round(session, organiser, year, today - timedelta(days=30),
                                  today + timedelta(days=21))
    if new_current:
        for email, title, text, submit in CURRENT:
            person = _person(session, email)
            nomination = award.start_nomination(session, current, person)
            if submit:
                award.submit_nomination(session, current, nomination, person, title=title,
                                        text=text + NOTE, receipt=False)
            else:
                award.save_draft(session, current, nomination, title=title, text=text + NOTE)
        yield f"award   {year} (open, {len(CURRENT)} nominations)"
    if new_past or new_current:
        juror = _jury(session, [past, current], password)
        if new_past:
            _score(session, past, juror, [[9, 8, 8, 7], [5, 6, 6, 5], [7, 7, 6, 8]])
        if new_current:
            _score(session, current, juror, [[8, 7, 6, 8]])
    yield f"login   {JURY[0]} / {password} (jury)"
