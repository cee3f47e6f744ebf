"""The award's judging: the jury (accounts with only that right), their scores per criterion,
the shortlist, the winner and what the public page shows. Writers, like `services`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.accounts import invitations
from trajectories.accounts.models import Coordinator
from trajectories.award import mails
from trajectories.award.events import AwardJudged
from trajectories.award.models import (
    SCORE_MAX,
    SCORE_MIN,
    AwardCriterion,
    AwardJuror,
    AwardNomination,
    AwardRound,
    AwardScore,
    Publication,
)
from trajectories.core import events
from trajectories.core import service as base
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service


# --- the jury ------------------------------------------------------------------------------------
@service
def add_juror(session: Session, award: AwardRound, *, email, name,
              invite: bool = True) -> Coordinator:
    """Put a person on this round's jury by name and address, in one transaction.

    A new address gets a jury account without a password (limited to jury work from its first
    moment) and an invitation to choose one; an existing jury account joins this round too and
    hears so (`invite=False`: no mail, for the demo). A coordinator's own account cannot be a
    juror: it would keep every other right. Someone already on this jury is refused."""
    name = base.text(name, "name", _l("Naam"), max_length=200)
    address = base.email(email)
    row = session.exec(select(Coordinator).where(Coordinator.email == address)).first()
    if row is not None and not row.jury_only:
        raise InvalidInput(_l("Dit adres hoort bij een coördinator; een jurylid krijgt een eigen "
                              "account met alleen het recht om te jureren."), "email")
    if row is not None and session.get(AwardJuror, (award.id, row.id)) is not None:
        raise InvalidInput(_l("%(name)s (%(email)s) zit al in de jury van deze ronde.",
                              name=row.name, email=address), "email")
    if row is None:
        row = Coordinator(email=address, name=name, password_hash=invitations.no_password(),
                          organiser_id=award.organiser_id, jury_only=True)
        session.add(row)
        session.flush()
    session.add(AwardJuror(round_id=award.id, coordinator_id=row.id))
    session.flush()
    if invite:
        if invitations.has_password(row):
            mails.jury_added(session, award, row)
        else:
            mails.jury_invitation(session, award, row)
    events.record(session, AwardJudged(round_id=award.id, organiser_id=award.organiser_id,
                                       what="jury"))
    return row


@service
def resend_invitation(session: Session, award: AwardRound, juror_id: int | None) -> Coordinator:
    """A new invitation to a juror of this round who has not chosen a password yet; the links
    of earlier invitations stop working."""
    row = session.get(Coordinator, juror_id) if juror_id else None
    if row is None or session.get(AwardJuror, (award.id, row.id)) is None:
        raise InvalidInput(_l("Dit jurylid zit niet in de jury van deze ronde."))
    if invitations.has_password(row):
        raise InvalidInput(_l("%(name)s heeft al een wachtwoord gekozen en kan inloggen; een "
                              "nieuwe uitnodiging is niet nodig.", name=row.name))
    row.password_hash = invitations.no_password()
    session.add(row)
    session.flush()
    mails.jury_invitation(session, award, row)
    events.record(session, AwardJudged(round_id=award.id, organiser_id=award.organiser_id,
                                       what="jury:invitation"))
    return row


@service
def score(session: Session, award: AwardRound, juror_id: int, nomination: AwardNomination,
          scores: dict) -> None:
    """A juror's scores of one nomination, {criterion_id: "7"}; all or nothing."""
    if session.get(AwardJuror, (award.id, juror_id)) is None or nomination.round_id != award.id:
        raise InvalidInput(_l("U zit niet in de jury van deze ronde."))
    if nomination.submitted_at is None:
        raise InvalidInput(_l("Deze nominatie is nog niet ingediend."))
    criteria = session.exec(select(AwardCriterion).where(AwardCriterion.round_id == award.id)).all()
    values = {}
    for criterion in criteria:
        raw = scores.get(criterion.id, scores.get(str(criterion.id)))
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            value = None
        if value is None or not SCORE_MIN <= value <= SCORE_MAX:
            raise InvalidInput(_l("Geef voor „%(name)s” een score van %(low)s tot en met %(high)s.",
                                  name=criterion.name, low=SCORE_MIN, high=SCORE_MAX),
                               f"score_{criterion.id}")
        values[criterion.id] = value
    for criterion_id, value in values.items():
        row = session.get(AwardScore, (nomination.id, criterion_id, juror_id)) or AwardScore(
            nomination_id=nomination.id, criterion_id=criterion_id, coordinator_id=juror_id,
            score=value)
        row.score, row.updated_at = value, utcnow()
        session.add(row)
    session.flush()
    events.record(session, AwardJudged(round_id=award.id, organiser_id=award.organiser_id,
                                       what="scores"))


# --- shortlist, winner, publication --------------------------------------------------------------
def _submitted(session: Session, award: AwardRound) -> list[AwardNomination]:
    return list(session.exec(select(AwardNomination).where(
        AwardNomination.round_id == award.id, AwardNomination.submitted_at.is_not(None))))


@service
def set_shortlist(session: Session, award: AwardRound, nomination_ids: list[int]) -> None:
    wanted = set(nomination_ids)
    submitted = _submitted(session, award)
    if wanted - {n.id for n in submitted}:
        raise InvalidInput(_l("Alleen ingediende nominaties van deze ronde kunnen op de "
                              "shortlist."))
    if award.publication != Publication.NOTHING and not wanted:
        raise InvalidInput(_l("De shortlist is gepubliceerd: ze kan niet leeg worden."))
    for nomination in submitted:
        nomination.shortlisted = nomination.id in wanted
        if not nomination.shortlisted and nomination.winner:
            raise InvalidInput(_l("De winnaar hoort op de shortlist."))
        session.add(nomination)
    session.flush()
    events.record(session, AwardJudged(round_id=award.id, organiser_id=award.organiser_id,
                                       what="shortlist"))


@service
def choose_winner(session: Session, award: AwardRound, nomination_id: int | None) -> None:
    submitted = {n.id: n for n in _submitted(session, award)}
    chosen = submitted.get(nomination_id)
    if chosen is None or not chosen.shortlisted:
        raise InvalidInput(_l("Kies de winnaar uit de shortlist."), "winner")
    if award.publication == Publication.WINNER:
        raise InvalidInput(_l("De winnaar is al bekendgemaakt."), "winner")
    for nomination in submitted.values():
        nomination.winner = nomination.id == chosen.id
        session.add(nomination)
    session.flush()
    events.record(session, AwardJudged(round_id=award.id, organiser_id=award.organiser_id,
                                       what="winner"))


@service
def publish(session: Session, award: AwardRound, what: str) -> AwardRound:
    """Make the shortlist, or the winner (and shortlist), public. Not before there is one. Who
    started each submitted nomination hears the outcome by mail."""
    submitted = _submitted(session, award)
    if what == Publication.SHORTLIST:
        if not any(n.shortlisted for n in submitted):
            raise InvalidInput(_l("Kies eerst de shortlist."))
    elif what == Publication.WINNER:
        if not any(n.winner for n in submitted):
            raise InvalidInput(_l("Kies eerst de winnaar."))
    else:
        raise InvalidInput(_l("Kies wat u publiceert."))
    award.publication = what
    award.updated_at = utcnow()
    session.add(award)
    session.flush()
    mails.published(session, award, what, submitted)
    events.record(session, AwardJudged(round_id=award.id, organiser_id=award.organiser_id,
                                       what=f"publish:{what}"))
    return award
