"""A municipality proposes an example through the public form, with double opt-in.

`request_proposal` checks the form, keeps it as an unconfirmed draft (the texts are too long for
a signed link) and mails a single-use link; only `confirm_proposal` makes it a proposal the
coordinators see in their review list. An unconfirmed draft is never shown to anyone and is
deleted once its link has expired (at the next proposal).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, delete, select

from trajectories.catalogue.models import Organiser
from trajectories.core import events
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.models import Language
from trajectories.core.service import service
from trajectories.mail import public as public_mail
from trajectories.menukaart import fields, links
from trajectories.menukaart.events import ExampleStatusChanged
from trajectories.menukaart.models import Example, ExampleSource, ExampleStatus

#: The proposal form's names of the contact's fields.
FORM_NAMES = {"contact_name": "name", "contact_email": "email"}


def unconfirmed():
    """The condition "a proposal whose link was never used" (hidden everywhere)."""
    return ((Example.source == ExampleSource.PROPOSAL) & (Example.status == ExampleStatus.DRAFT)
            & Example.confirmed_at.is_(None))


def _organiser(session: Session, country: str) -> Organiser:
    """The organiser whose Menukaart a municipality's proposal goes to: the one of its country
    (VNG for the Netherlands, VVSG for Flanders), else the first."""
    organisers = session.exec(select(Organiser).order_by(Organiser.id)).all()
    if not organisers:
        raise InvalidInput(_l("Voorstellen kan nu niet."))
    return next((o for o in organisers if o.country == country), organisers[0])


@service
def request_proposal(session: Session, data: dict) -> Example:
    """Check the form and mail the proposer a confirmation link."""
    session.exec(delete(Example).where(unconfirmed(), Example.token_expires_at < utcnow()))
    try:
        checked = fields.check(session, {**data, "contact_name": data.get("name"),
                                         "contact_email": data.get("email")},
                               contact_required=True)
    except InvalidInput as exc:  # the form calls the contact's fields "name" and "email"
        errors = {FORM_NAMES.get(k, k): v for k, v in exc.errors.items()}
        raise InvalidInput(exc.message, FORM_NAMES.get(exc.field, exc.field), errors) from None
    organisation = fields.organisation_for(session, checked.municipality)
    example = Example(organiser_id=_organiser(session, organisation.country).id,
                      organisation_id=organisation.id, source=ExampleSource.PROPOSAL,
                      status=ExampleStatus.DRAFT, requested_from=checked.contact_email,
                      **checked.values())
    token = links.open_link(example, links.CONFIRM_AGE)
    session.add(example)
    session.flush()
    language = data.get("language") if data.get("language") in list(Language) else Language.NL
    public_mail.send(session, to=checked.contact_email, template="mk_confirm",
                     language=language, dedupe_key=f"menukaart_confirm:{example.token_hash[:32]}",
                     name=checked.contact_name, example=example,
                     link=links.url("/menukaart/bevestigen", token),
                     hours=int(links.CONFIRM_AGE.total_seconds() // 3600))
    return example


@service
def confirm_proposal(session: Session, token: str) -> Example:
    """The proposer followed the link: the proposal goes to the coordinators' review list."""
    example = links.example_of(session, token)
    if example.source != ExampleSource.PROPOSAL or example.status != ExampleStatus.DRAFT:
        raise InvalidInput(_l("Deze link is ongeldig of al gebruikt."))
    links.close_link(example)
    example.confirmed_at = utcnow()
    example.status = ExampleStatus.PROPOSED
    example.updated_at = utcnow()
    session.add(example)
    session.flush()
    events.record(session, ExampleStatusChanged(example_id=example.id,
                                                status=str(ExampleStatus.PROPOSED)))
    return example
