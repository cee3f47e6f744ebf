"""The award's writers: rounds, nominations (start, draft, submit), the jury and its scores,
the shortlist, the winner and what is published.

A round's nomination period is an edition of the organiser's award track with one deadline,
"Nominaties sluiten" (see models.py): the catalogue and schedule services create them, so the
feeds and the scheduler's nudges follow as for any deadline.
"""

from __future__ import annotations

from datetime import date, time

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.award import mails
from trajectories.award.events import AwardRoundSaved, NominationSubmitted
from trajectories.award.judging import (  # noqa: F401  (the judging's writers, reachable here too)
    add_juror,
    choose_winner,
    publish,
    resend_invitation,
    score,
    set_shortlist,
)
from trajectories.award.models import (
    AwardCriterion,
    AwardNomination,
    AwardRound,
)
from trajectories.catalogue import services as catalogue
from trajectories.catalogue.models import (
    Edition,
    Eligibility,
    Organiser,
    PlaceUnit,
    Track,
    TrackKind,
)
from trajectories.core import events
from trajectories.core import service as base
from trajectories.core.clock import to_local, to_utc, utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.mail.services import set_mail_settings
from trajectories.people import services as people
from trajectories.people import uploads
from trajectories.people.models import Organisation, OrganisationKind, Participant
from trajectories.schedule import services as schedule
from trajectories.schedule.models import Deadline, DeliveredBy

TRACK_SLUG = "prijs"
ZONE = "Europe/Amsterdam"
DEADLINE_TITLE = "Nominaties sluiten"
#: Nudges to who started and did not submit: a week and two days before the close; none after
#: it (a nomination after the close is refused, so an overdue nudge would only frustrate).
NUDGE_DAYS = [7, 2]
MAX_CRITERIA = 8


def _criteria(rows) -> list[tuple[str, int]]:
    found = []
    for index, (name, weight) in enumerate(rows):
        name = base.text(name, f"criterion_{index}", _l("Criterium"), required=False,
                         max_length=100)
        if not name:
            continue
        value = base.whole_number(weight, f"weight_{index}",
                                  _l("Het gewicht moet een heel getal zijn."))
        if value is None or not 1 <= value <= 10:
            raise InvalidInput(_l("Het gewicht van „%(name)s” ligt tussen 1 en 10.", name=name),
                               f"weight_{index}")
        found.append((name, value))
    if not found:
        raise InvalidInput(_l("Geef minstens één criterium met een gewicht."), "criterion_0")
    if len(found) > MAX_CRITERIA:
        raise InvalidInput(_l("Hoogstens %(n)s criteria.", n=MAX_CRITERIA), "criterion_0")
    return found


def _title_and_period(title, intro, opens_on, closes_on) -> tuple[str, str]:
    """A round's title and introduction, checked, once its nomination period is checked."""
    title = base.text(title, "title", _l("Titel"), max_length=200)
    intro = base.text(intro, "intro", _l("Toelichting"), required=False, max_length=10000,
                      multiline=True)
    if not isinstance(opens_on, date):
        raise InvalidInput(_l("Vul een geldige datum in."), "opens_on")
    if not isinstance(closes_on, date):
        raise InvalidInput(_l("Vul een geldige datum in."), "closes_on")
    if closes_on < opens_on:
        raise InvalidInput(_l("De nominaties sluiten na de opening."), "closes_on")
    return title, intro


def _award_track(session: Session, organiser: Organiser) -> Track:
    track = session.exec(select(Track).where(Track.organiser_id == organiser.id,
                                             Track.kind == TrackKind.AWARD)).first()
    if track is not None:
        return track
    return catalogue.create_track(
        session, organiser, slug=TRACK_SLUG, title=f"{organiser.name}: jaarlijkse prijs",
        kind=TrackKind.AWARD, theme="Global Goals",
        summary="De jaarlijkse prijs voor de meest inspirerende Global Goals-gemeente.",
        target_group="Gemeenten", contact_email=organiser.email)


def create_round(session: Session, organiser: Organiser, *, year, title, intro="",
                 opens_on, closes_on, criteria) -> AwardRound:
    """A new round: checks everything first, then makes its edition (places per municipality),
    the deadline "Nominaties sluiten" at the end of the closing day, and the round."""
    year_value = base.whole_number(year, "year", _l("Het jaar moet een heel getal zijn."))
    if year_value is None or not 2000 <= year_value <= 2100:
        raise InvalidInput(_l("Vul een jaar in tussen 2000 en 2100."), "year")
    title, intro = _title_and_period(title, intro, opens_on, closes_on)
    rows = _criteria(criteria)
    if session.exec(select(AwardRound).where(AwardRound.organiser_id == organiser.id,
                                             AwardRound.year == year_value)).first():
        raise InvalidInput(_l("Er is al een ronde voor %(year)s.", year=year_value), "year")
    track = _award_track(session, organiser)
    # Registering for this edition (a civil servant not yet known here) is open while
    # nominations are: it enrolls like starting a nomination does.
    edition = catalogue.create_edition(
        session, track, slug=str(year_value), name=title, timezone=ZONE,
        eligibility=Eligibility.MUNICIPALITIES, place_unit=PlaceUnit.ORGANISATION,
        coordinator_email=organiser.email,
        registration_opens_at=to_utc(opens_on, time(0, 0), ZONE),
        registration_closes_at=to_utc(closes_on, time(23, 59), ZONE))
    # Before the deadline, so that its nudges are planned on these days at once.
    set_mail_settings(session, edition, hold=False, review_coaching=False,
                      nudge_days=list(NUDGE_DAYS), coaching_delay_hours=None)
    deadline = schedule.set_deadline(
        session, edition, title=DEADLINE_TITLE, due_date=closes_on, due_time=time(23, 59),
        description="Lever de nominatie van je gemeente in via /prijs/.",
        delivered_by=DeliveredBy.ORGANISATION)
    return _save_round(session, organiser, edition, deadline, year=year_value, title=title,
                       intro=intro, opens_on=opens_on, closes_on=closes_on, criteria=rows)


@service
def _save_round(session, organiser, edition, deadline, *, criteria, **fields) -> AwardRound:
    award = AwardRound(organiser_id=organiser.id, edition_id=edition.id, **fields)
    session.add(award)
    session.flush()
    for position, (name, weight) in enumerate(criteria):
        session.add(AwardCriterion(round_id=award.id, name=name, weight=weight,
                                   position=position))
    session.flush()
    events.record(session, AwardRoundSaved(round_id=award.id, organiser_id=organiser.id))
    return award


@service
def change_round(session: Session, award: AwardRound, *, title, intro="", opens_on,
                 closes_on) -> AwardRound:
    """A round's title, introduction and nomination period, in one transaction: its edition's
    registration window and the deadline "Nominaties sluiten" follow (so the nudges move with
    the closing day)."""
    title, intro = _title_and_period(title, intro, opens_on, closes_on)
    edition = session.get(Edition, award.edition_id)
    catalogue.update_edition.__wrapped__(
        session, edition, name=title, timezone=edition.timezone, capacity=edition.capacity,
        eligibility=edition.eligibility, place_unit=edition.place_unit,
        max_per_organisation=edition.max_per_organisation,
        requires_approval=edition.requires_approval, coordinator_email=edition.coordinator_email,
        registration_opens_at=to_utc(opens_on, time(0, 0), ZONE),
        registration_closes_at=to_utc(closes_on, time(23, 59), ZONE))
    deadline = deadline_of(session, award)
    schedule.set_deadline.__wrapped__(
        session, edition, deadline, title=deadline.title, description=deadline.description,
        due_date=closes_on, due_time=time(23, 59), delivered_by=deadline.delivered_by)
    award.title, award.intro, award.opens_on, award.closes_on = title, intro, opens_on, closes_on
    award.updated_at = utcnow()
    session.add(award)
    session.flush()
    events.record(session, AwardRoundSaved(round_id=award.id, organiser_id=award.organiser_id))
    return award


# --- nominations ---------------------------------------------------------------------------------
def deadline_of(session: Session, award: AwardRound) -> Deadline:
    return session.exec(select(Deadline).where(Deadline.edition_id == award.edition_id)
                        .order_by(Deadline.id)).first()


def nominations_open(session: Session, award: AwardRound, now=None) -> bool:
    edition = session.get(Edition, award.edition_id)
    today = to_local(now or utcnow(), edition.timezone).date()
    return award.opens_on <= today and not people.deadline_passed(
        deadline_of(session, award), None, edition, now)


def _require_open(session: Session, award: AwardRound) -> None:
    if not nominations_open(session, award):
        edition = session.get(Edition, award.edition_id)
        if to_local(utcnow(), edition.timezone).date() < award.opens_on:
            raise InvalidInput(_l("De nominaties openen op %(day)s.",
                                  day=award.opens_on.strftime("%d-%m-%Y")))
        raise InvalidInput(_l("De nominaties voor %(title)s zijn gesloten sinds %(day)s: er kan "
                              "niets meer worden ingediend of gewijzigd.", title=award.title,
                              day=award.closes_on.strftime("%d-%m-%Y")))


def _municipality_of(session: Session, participant: Participant) -> Organisation:
    organisation = session.get(Organisation, participant.organisation_id) \
        if participant.organisation_id else None
    if organisation is None or organisation.kind != OrganisationKind.MUNICIPALITY:
        raise InvalidInput(_l("Alleen een ambtenaar van een gemeente kan een gemeente "
                              "nomineren. Je account hoort niet bij een gemeente."))
    return organisation


def start_nomination(session: Session, award: AwardRound, participant: Participant
                     ) -> AwardNomination:
    """Start (or join) the nomination of the participant's municipality: enrolls them in the
    round's edition, so the deadline's nudges reach them until it is submitted."""
    _require_open(session, award)
    organisation = _municipality_of(session, participant)
    people.enroll(session, session.get(Edition, award.edition_id), participant)
    return _nomination_row(session, award, organisation, participant)


@service
def _nomination_row(session, award, organisation, participant) -> AwardNomination:
    found = session.exec(select(AwardNomination).where(
        AwardNomination.round_id == award.id,
        AwardNomination.organisation_id == organisation.id)).first()
    if found is not None:
        return found
    nomination = AwardNomination(round_id=award.id, organisation_id=organisation.id,
                                 started_by_id=participant.id, title=organisation.name)
    session.add(nomination)
    session.flush()
    return nomination


def _texts(title, text, *, required: bool) -> tuple[str, str]:
    title = base.text(title, "title", _l("Titel van de nominatie"), required=required,
                      max_length=200)
    text = base.text(text, "text", _l("Toelichting"), required=False, max_length=20000,
                     multiline=True)
    if required and not text:
        raise InvalidInput(_l("Schrijf waarom je gemeente de prijs verdient: de toelichting is "
                              "leeg."), "text")
    return title, text


@service
def save_draft(session: Session, award: AwardRound, nomination: AwardNomination, *, title,
               text) -> AwardNomination:
    _require_open(session, award)
    nomination.title, nomination.text = _texts(title, text, required=False)
    nomination.updated_at = utcnow()
    session.add(nomination)
    return nomination


def submit_nomination(session: Session, award: AwardRound, nomination: AwardNomination,
                      participant: Participant, *, title, text, storage=None,
                      receipt: bool = True) -> AwardNomination:
    """Submit: the text (required) and a file, stored as any hand-in (`uploads.hand_in`), for
    the round's deadline. After the close it is refused and nothing changes. `receipt`: mail
    the submitter a receipt (not for the demo's data, loaded as if handed in before)."""
    _require_open(session, award)
    title, text = _texts(title, text, required=True)
    submission = uploads.hand_in(session, deadline_of(session, award), participant,
                                 text=f"{title}\n\n{text}", storage=storage)
    return _mark_submitted(session, award, nomination, participant if receipt else None,
                           submission.id, title, text)


@service
def _mark_submitted(session, award, nomination, receiver, submission_id, title,
                    text) -> AwardNomination:
    nomination.title, nomination.text = title, text
    nomination.submission_id = submission_id
    nomination.submitted_at = nomination.updated_at = utcnow()
    session.add(nomination)
    session.flush()
    if receiver is not None:
        mails.received(session, award, nomination, receiver)
    events.record(session, NominationSubmitted(round_id=nomination.round_id,
                                               edition_id=award.edition_id,
                                               nomination_id=nomination.id,
                                               organisation_id=nomination.organisation_id))
    return nomination

