"""Joining and leaving a track's interest list, and the one mail when an edition opens.

Joining is double opt-in like registration: `request_interest` checks the form and mails a signed
link; nothing is stored until `confirm_interest` follows it. When an edition of the track opens
registration, `announce_edition` queues one mail per person on the list in the outbox, with a
dedupe key per edition and person, due at the moment registration opens: queued twice, it is
queued once; sent, it is never sent again. A person leaves from that mail (one-click) or /mijn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.accounts import tokens as signin
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.catalogue.status import registration_open
from trajectories.core import events
from trajectories.core.clock import utcnow
from trajectories.core.errors import FieldChecks, InvalidInput
from trajectories.core.models import Language
from trajectories.core.service import service
from trajectories.interest.events import InterestConfirmed, InterestLeft
from trajectories.interest.models import RETENTION_DAYS, InterestEntry
from trajectories.mail import public as public_mail
from trajectories.mail.models import MailKind, MailStatus, OutboxMessage
from trajectories.mail.outbox import queue_mail
from trajectories.mail.preferences import unsubscribe_url
from trajectories.mail.render import render_mail
from trajectories.people import services as people
from trajectories.people.models import Participant

#: The announcement's footer link: it takes the person off this track's list.
LEAVE_TEXT = _l("Geen bericht meer over dit leertraject? Haal je van de lijst:")
#: Why an announcement waiting in the outbox was taken back (registration no longer opens).
NOT_OPENING = "registration not opening"


@dataclass(frozen=True)
class Form:
    """"Houd me op de hoogte" as typed, checked."""

    name: str
    email: str
    #: CBS/NIS code of the municipality.
    municipality: str
    language: str

    def payload(self) -> dict:
        return {"n": self.name, "e": self.email, "o": self.municipality, "l": self.language}


def open_editions(session: Session, track: Track) -> list[Edition]:
    """The track's published editions whose registration is open now."""
    return [e for e in session.exec(select(Edition).where(Edition.track_id == track.id))
            if registration_open(e)]


def check_form(session: Session, track: Track, data: dict) -> Form:
    if open_editions(session, track):
        raise InvalidInput(_l("De inschrijving voor dit leertraject is open: schrijf je meteen "
                              "in."))
    checks = FieldChecks()
    name, email, municipality = people.contact_fields(checks, session, data)
    checks.done()
    language = data.get("language") if data.get("language") in list(Language) else Language.NL
    return Form(name, email, municipality, language)


def track_url(session: Session, track: Track) -> str:
    organiser = session.get(Organiser, track.organiser_id)
    return f"{current_app.config['SETTINGS'].base_url}/{organiser.slug}/{track.slug}/"


@service
def request_interest(session: Session, track: Track, data: dict) -> Form:
    """Check the form and mail a confirmation link; nothing is kept until it is followed."""
    form = check_form(session, track, data)
    token = signin.make_token(current_app.config["SECRET_KEY"], signin.INTEREST,
                              {"t": track.id, **form.payload()})
    link = current_app.config["SETTINGS"].base_url + "/inschrijving/op-de-hoogte?t=" + token
    public_mail.send(session, to=form.email, template="interest", language=form.language,
                     dedupe_key=f"public_interest:{token[-27:]}", name=form.name, track=track,
                     link=link, hours=int(signin.MAX_AGE[signin.INTEREST].total_seconds() // 3600),
                     years=RETENTION_DAYS // 365)
    return form


@service
def confirm_interest(session: Session, token: str) -> tuple[Participant, InterestEntry]:
    """Follow the confirmation link: the person (new, or found by address) goes on the list,
    once; an edition already open or opening is announced to them at once."""
    payload = signin.read_token(current_app.config["SECRET_KEY"], signin.INTEREST, token)
    track = session.get(Track, payload.get("t"))
    if track is None:
        raise InvalidInput(_l("Dit leertraject bestaat niet meer."))
    signin.consume(session, signin.INTEREST, payload)
    organisation = people.municipality(session, payload["o"])
    participant = people.find_participant(session, payload["e"])
    if participant is None:
        participant = people.create_participant.__wrapped__(
            session, name=payload["n"], email=payload["e"], organisation_id=organisation.id,
            language=payload["l"])
    entry = session.exec(select(InterestEntry).where(
        InterestEntry.track_id == track.id,
        InterestEntry.participant_id == participant.id)).first()
    if entry is None:
        entry = InterestEntry(track_id=track.id, participant_id=participant.id,
                              organisation_id=organisation.id)
        session.add(entry)
        session.flush()
        events.record(session, InterestConfirmed(track_id=track.id,
                                                 participant_id=participant.id))
    for edition in session.exec(select(Edition).where(Edition.track_id == track.id)):
        _announce(session, edition, [participant])
    return participant, entry


@service
def leave(session: Session, participant: Participant, track_id: int) -> bool:
    """Take the person off the track's list; announcements not yet sent are taken back.
    Returns whether they were on it (leaving twice changes nothing)."""
    entry = session.exec(select(InterestEntry).where(
        InterestEntry.track_id == track_id,
        InterestEntry.participant_id == participant.id)).first()
    if entry is None:
        return False
    remove_entry(session, entry)
    return True


def remove_entry(session: Session, entry: InterestEntry, reason: str = "unsubscribed") -> None:
    """Delete one entry and withdraw its unsent announcements (in the caller's transaction)."""
    editions = select(Edition.id).where(Edition.track_id == entry.track_id)
    for message in session.exec(select(OutboxMessage).where(
            OutboxMessage.participant_id == entry.participant_id,
            OutboxMessage.kind == MailKind.INTEREST,
            OutboxMessage.edition_id.in_(editions),
            OutboxMessage.status.in_([MailStatus.QUEUED, MailStatus.HELD]))):
        message.status, message.last_error = MailStatus.FAILED, reason
        session.add(message)
    session.delete(entry)
    session.flush()
    events.record(session, InterestLeft(track_id=entry.track_id,
                                        participant_id=entry.participant_id))


def _opening(edition: Edition, now: datetime) -> datetime | None:
    """When this edition's registration opens (now, if it is open), or None: a draft, no
    opening date, or registration already closed."""
    if edition.draft or edition.registration_opens_at is None:
        return None
    if edition.registration_closes_at is not None and edition.registration_closes_at <= now:
        return None
    return max(edition.registration_opens_at, now)


def _announce(session: Session, edition: Edition, participants: list[Participant]) -> int:
    """Queue the announcement of `edition` to each of `participants`, due when registration
    opens; returns how many were new. Already queued: moved to the (new) opening moment."""
    now = utcnow()
    due = _opening(edition, now)
    if due is None:
        return 0
    track = session.get(Track, edition.track_id)
    settings = current_app.config["SETTINGS"]
    link = track_url(session, track)
    done = set(session.exec(select(OutboxMessage.participant_id).where(
        OutboxMessage.edition_id == edition.id, OutboxMessage.kind == MailKind.INTEREST)))
    new = 0
    for person in (p for p in participants if p.id not in done):
        url = unsubscribe_url(settings, person.id, MailKind.INTEREST, edition.id)
        subject, text, html = render_mail(
            "interest_open", person.language, name=person.name, track=track, edition=edition,
            link=link, unsubscribe_url=url, unsubscribe_text=LEAVE_TEXT,
            years=RETENTION_DAYS // 365)
        row = queue_mail(session, to=person.email, kind=MailKind.INTEREST, subject=subject,
                         text=text, html=html, dedupe_key=f"interest:{edition.id}:{person.id}",
                         participant_id=person.id, edition_id=edition.id)
        if row is not None:
            row.next_attempt_at = due
            session.add(row)
            new += 1
    return new


@service
def announce_edition(session: Session, edition_id: int) -> int:
    """An edition of the track was saved or published: announce it to everyone on the list when
    its registration opens (idempotent: one mail per edition and person). When it no longer
    opens (opening date removed, registration closed), unsent announcements are taken back;
    when it opens again, they are queued again for its new opening moment."""
    edition = session.get(Edition, edition_id)
    if edition is None:
        return 0
    now = utcnow()
    due = _opening(edition, now)
    pending = list(session.exec(select(OutboxMessage).where(
        OutboxMessage.edition_id == edition.id, OutboxMessage.kind == MailKind.INTEREST,
        OutboxMessage.status.in_([MailStatus.QUEUED, MailStatus.HELD, MailStatus.FAILED]))))
    for message in pending:
        if due is None and message.status != MailStatus.FAILED:
            message.status, message.last_error = MailStatus.FAILED, NOT_OPENING
        elif due is not None and message.status != MailStatus.FAILED:
            message.next_attempt_at = due
        elif due is not None and message.last_error == NOT_OPENING:
            message.status, message.last_error, message.next_attempt_at = \
                MailStatus.QUEUED, "", due
        session.add(message)
    if due is None:
        return 0
    people_on_list = list(session.exec(select(Participant).join(
        InterestEntry, InterestEntry.participant_id == Participant.id)
        .where(InterestEntry.track_id == edition.track_id).order_by(Participant.id)))
    return _announce(session, edition, people_on_list)


@service
def announce_all(session: Session) -> int:
    """`announce_edition` for every published edition whose registration is open or opening:
    the periodic catch-up, should a process have died between an edition's commit and its
    handler. Idempotent: people already announced to are skipped before rendering."""
    now = utcnow()
    ids = session.exec(select(Edition.id).where(
        Edition.draft.is_(False), Edition.registration_opens_at.is_not(None),
        (Edition.registration_closes_at.is_(None)) | (Edition.registration_closes_at > now))).all()
    return sum(announce_edition.__wrapped__(session, edition_id) for edition_id in ids)
