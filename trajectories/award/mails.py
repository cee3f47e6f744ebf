"""The award's mails to the civil servant who started a nomination: a receipt when it is
submitted, and the jury's outcome when the shortlist or the winner is published. They answer
something the person did (like registration's mails): no preference, no unsubscribe link. Each
outcome goes once per nomination, however often a publication is repeated.

And the jury's own mails, like the password reset (to an account, kind "other"): the invitation
with a link to choose a password, or, for an account that has one, the news of a new round."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlmodel import Session

from trajectories.accounts import invitations
from trajectories.accounts.models import Coordinator
from trajectories.award.models import AwardNomination, AwardRound, Publication
from trajectories.catalogue.models import Organiser
from trajectories.mail import outbox, render
from trajectories.mail import public as public_mail
from trajectories.mail.models import MailKind
from trajectories.people.models import Organisation, Participant


def _page(award: AwardRound) -> str:
    return f"{current_app.config['SETTINGS'].base_url}/prijs/{award.year}"  # web/award.year_page


def _send(session: Session, award: AwardRound, nomination: AwardNomination, person: Participant,
          template: str, key: str, **context) -> None:
    public_mail.send(session, to=person.email, template=template, language=person.language,
                     dedupe_key=f"public_{template}:{nomination.id}:{key}",
                     participant_id=person.id, edition_id=award.edition_id, name=person.name,
                     award=award, nomination=nomination, link=_page(award),
                     municipality=session.get(Organisation, nomination.organisation_id).name,
                     **context)


def received(session: Session, award: AwardRound, nomination: AwardNomination,
             person: Participant) -> None:
    """The receipt of a submitted (or submitted again) nomination, to who submitted it."""
    _send(session, award, nomination, person, "aw_received",
          f"{nomination.submitted_at:%Y%m%dT%H%M%S.%f}", closes_on=award.closes_on)


def outcome(nomination: AwardNomination, what: str) -> str:
    """What a publication tells this nomination: on the shortlist or not; the winner or not."""
    if not nomination.shortlisted:
        return "not_shortlisted"
    if what == Publication.WINNER:
        return "winner" if nomination.winner else "not_winner"
    return "shortlisted"


def published(session: Session, award: AwardRound, what: str,
              submitted: list[AwardNomination]) -> None:
    """The jury's published outcome, to who started each submitted nomination."""
    for nomination in submitted:
        person = session.get(Participant, nomination.started_by_id) \
            if nomination.started_by_id else None
        if person is None:
            continue  # erased
        result = outcome(nomination, what)
        _send(session, award, nomination, person, "aw_outcome", result, outcome=result)


# --- the jury ------------------------------------------------------------------------------------
def _to_juror(session: Session, award: AwardRound, juror: Coordinator, template: str,
              link: str) -> None:
    # Accounts have no language of their own (the password reset is Dutch too): Dutch.
    subject, text, html = render.render_mail(
        template, "nl", name=juror.name, award=award, link=link,
        organiser=session.get(Organiser, award.organiser_id).name,
        days=invitations.MAX_AGE.days)
    outbox.queue_mail(session, to=juror.email, kind=MailKind.OTHER, subject=subject, text=text,
                      html=html, dedupe_key=f"{template}:{award.id}:{juror.id}:"
                                            f"{secrets.token_hex(8)}")


def jury_invitation(session: Session, award: AwardRound, juror: Coordinator) -> None:
    """The invitation to an account without a password: a link to choose one, which then
    opens the round's jury page (web/coordinator/auth.accept_invitation)."""
    settings = current_app.config["SETTINGS"]
    token = invitations.make_token(current_app.config["SECRET_KEY"], juror, award.id)
    _to_juror(session, award, juror, "jury_invitation",
              f"{settings.base_url.rstrip('/')}/beheer/welkom/{token}")


def jury_added(session: Session, award: AwardRound, juror: Coordinator) -> None:
    """To an account that has a password: it is on this round's jury too; sign in as always."""
    settings = current_app.config["SETTINGS"]
    _to_juror(session, award, juror, "jury_added",
              f"{settings.base_url.rstrip('/')}/beheer/inloggen")  # web/coordinator/auth.login
