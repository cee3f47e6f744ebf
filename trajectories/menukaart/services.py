"""Writing the Menukaart: a coordinator's examples, examples made from a deliverable (public only
after the municipality's consent by mail link), publishing, rejecting, and the files.

The rule that matters: an example made from a submission or proposed through the public form is
published only after its mail link was used (`confirmed_at`); `publish` refuses it before. The
public form's proposals are in `proposals.py`.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.core import events
from trajectories.core import service as base
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.mail import public as public_mail
from trajectories.menukaart import fields, links
from trajectories.menukaart.events import ExampleSaved, ExampleStatusChanged
from trajectories.menukaart.models import Example, ExampleFile, ExampleSource, ExampleStatus
from trajectories.people import uploads
from trajectories.people.models import Organisation, Participant, Submission
from trajectories.schedule.models import Deadline

FOLDER = "menukaart"
#: Files per example.
MAX_FILES = 10


def _status(session: Session, example: Example, status: str) -> None:
    example.status = status
    example.updated_at = utcnow()
    if status == ExampleStatus.PUBLISHED:
        example.published_at = utcnow()
    session.add(example)
    session.flush()
    events.record(session, ExampleStatusChanged(example_id=example.id, status=str(status)))


@service
def create_example(session: Session, organiser: Organiser, data: dict) -> Example:
    """A coordinator writes an example; it starts as a draft."""
    checked = fields.check(session, data)
    organisation = fields.organisation_for(session, checked.municipality)
    example = Example(organiser_id=organiser.id, organisation_id=organisation.id,
                      source=ExampleSource.COORDINATOR, **checked.values())
    session.add(example)
    session.flush()
    events.record(session, ExampleSaved(example_id=example.id))
    return example


@service
def update_example(session: Session, example: Example, data: dict) -> Example:
    """Change an example. One waiting for consent goes back to draft: the consent asked was for
    what the municipality saw, so it must be asked again."""
    checked = fields.check(session, data)
    organisation = fields.organisation_for(session, checked.municipality)
    changed = base.assign(example, {"organisation_id": organisation.id, **checked.values()})
    if changed:
        example.updated_at = utcnow()
        if example.status == ExampleStatus.AWAITING_CONSENT:
            links.close_link(example)
            example.status = ExampleStatus.DRAFT
        session.add(example)
        session.flush()
        events.record(session, ExampleSaved(example_id=example.id))
    return example


def may_publish(example: Example) -> bool:
    """A coordinator's own example may be published; one made from a submission or proposed
    only once its mail link was used (consent, or the proposer's confirmation)."""
    return example.source == ExampleSource.COORDINATOR or example.confirmed_at is not None


@service
def publish(session: Session, example: Example) -> Example:
    if example.status == ExampleStatus.PUBLISHED:
        return example
    if not may_publish(example):
        if example.source == ExampleSource.SUBMISSION:
            raise InvalidInput(_l("De gemeente heeft nog geen toestemming gegeven. Vraag eerst "
                                  "toestemming; pas daarna kan het voorbeeld openbaar."))
        raise InvalidInput(_l("Dit voorstel is nog niet bevestigd met de link in de e-mail."))
    _status(session, example, ExampleStatus.PUBLISHED)
    _tell_proposer(session, example)
    return example


def _tell_proposer(session: Session, example: Example) -> None:
    """A proposal's outcome (published, or rejected with the reason) to whoever proposed it,
    once per outcome."""
    if example.source != ExampleSource.PROPOSAL or not example.requested_from:
        return
    published = example.status == ExampleStatus.PUBLISHED
    public_mail.send(session, to=example.requested_from, template="mk_outcome", language="nl",
                     dedupe_key=f"menukaart_outcome:{example.id}:{example.status}",
                     example=example, published=published,
                     link=links.absolute(f"/menukaart/{example.id}"))


@service
def unpublish(session: Session, example: Example) -> Example:
    if example.status == ExampleStatus.PUBLISHED:
        _status(session, example, ExampleStatus.DRAFT)
    return example


@service
def reject(session: Session, example: Example, reason: str) -> Example:
    """Reject a proposal, with the reason (kept with it; the proposer is not shown it publicly)."""
    if example.status != ExampleStatus.PROPOSED:
        raise InvalidInput(_l("Alleen een voorstel dat op beoordeling wacht kun je afwijzen."))
    example.rejection_reason = base.text(reason, "reason", _l("De reden"), max_length=1000,
                                         multiline=True)
    _status(session, example, ExampleStatus.REJECTED)
    _tell_proposer(session, example)
    return example


# --- from a deliverable, with consent ---------------------------------------------------------------


def _copy_file(submission: Submission) -> str:
    """The submission's file copied into the Menukaart's folder (the deliverable's own file stays
    the participant's); "" when it has none or it is gone."""
    path = uploads.resolve(submission.file_path) if submission.file_path else None
    if path is None:
        return ""
    name = uploads.clean_name(submission.file_name or path.name)
    upload = uploads.Upload(path.read_bytes(), path.suffix.lower(), name)
    return uploads.store(upload, FOLDER)


@service
def from_submission(session: Session, submission: Submission) -> Example:
    """A draft example from a deliverable: its text, the track's Global Goals and theme, the
    submitter as contact (not shown until they consent) and its file. Made once: asked again,
    the existing example is returned."""
    existing = session.exec(select(Example).where(
        Example.submission_id == submission.id)).first()
    if existing is not None:
        return existing
    participant = session.get(Participant, submission.participant_id)
    organisation = session.get(Organisation, participant.organisation_id) \
        if participant.organisation_id else None
    if organisation is None or not organisation.code:
        raise InvalidInput(_l("Deze inzending hoort niet bij een gemeente: maak het voorbeeld "
                              "zelf aan."))
    deadline = session.get(Deadline, submission.deadline_id)
    edition = session.get(Edition, deadline.edition_id)
    track = session.get(Track, edition.track_id)
    text = submission.text.strip()
    summary = " ".join(text.split())
    summary = summary if len(summary) <= 300 else summary[:297].rsplit(" ", 1)[0] + "…"
    example = Example(
        organiser_id=track.organiser_id, organisation_id=organisation.id,
        title=f"{deadline.title} — {organisation.name}"[:200], summary=summary,
        what_was_done=text, sdgs=list(track.sdgs or []), theme=track.theme,
        contact_name=participant.name, contact_email=participant.email, contact_consent=False,
        year=submission.submitted_at.year, source=ExampleSource.SUBMISSION,
        submission_id=submission.id, requested_from=participant.email)
    session.add(example)
    session.flush()
    written = _copy_file(submission)
    if written:
        session.add(ExampleFile(example_id=example.id, file_path=written,
                                file_name=uploads.clean_name(submission.file_name or "bestand")))
    events.record(session, ExampleSaved(example_id=example.id))
    return example


@service
def request_consent(session: Session, example: Example, email: str, language: str = "nl"
                    ) -> Example:
    """Mail the municipality a link to see the example as it would be shown and consent (or not);
    a request sent before stops working."""
    if example.source != ExampleSource.SUBMISSION:
        raise InvalidInput(_l("Toestemming vraag je voor een voorbeeld dat van een inzending is "
                              "gemaakt."))
    if example.status not in (ExampleStatus.DRAFT, ExampleStatus.AWAITING_CONSENT):
        raise InvalidInput(_l("Voor dit voorbeeld hoeft geen toestemming meer gevraagd te "
                              "worden."))
    address = base.email(email)
    token = links.open_link(example, links.CONSENT_AGE)
    example.requested_from = address
    organisation = session.get(Organisation, example.organisation_id)
    organiser = session.get(Organiser, example.organiser_id)
    public_mail.send(session, to=address, template="mk_consent", language=language,
                     dedupe_key=f"menukaart_consent:{example.token_hash[:32]}",
                     example=example, organisation=organisation, organiser=organiser,
                     link=links.url("/menukaart/toestemming", token),
                     days=links.CONSENT_AGE.days)
    _status(session, example, ExampleStatus.AWAITING_CONSENT)
    return example


@service
def answer_consent(session: Session, token: str, *, agree: bool, show_contact: bool) -> Example:
    """The municipality's answer by the mail link (once): yes publishes the example (showing the
    contact only if they also agreed to that), no sets it aside."""
    example = links.example_of(session, token)
    if example.status != ExampleStatus.AWAITING_CONSENT:
        raise InvalidInput(_l("Deze link is ongeldig of al gebruikt."))
    links.close_link(example)
    example.confirmed_at = utcnow()
    if agree:
        example.contact_consent = bool(show_contact)
        _status(session, example, ExampleStatus.PUBLISHED)
    else:
        example.contact_consent = False
        example.rejection_reason = str(_l("De gemeente gaf geen toestemming om het voorbeeld te "
                                          "publiceren."))
        example.confirmed_at = None
        _status(session, example, ExampleStatus.REJECTED)
    return example


def forget_contact(session: Session, email: str) -> int:
    """A person's name and address off every example (their erasure, in the caller's
    transaction); the examples stay. Returns how many examples named them."""
    rows = session.exec(select(Example).where(
        (Example.contact_email == email) | (Example.requested_from == email))).all()
    for row in rows:
        if row.contact_email == email:
            row.contact_name, row.contact_email, row.contact_consent = "", "", False
        if row.requested_from == email:
            row.requested_from = ""
        session.add(row)
    return len(rows)


# --- files ---------------------------------------------------------------------------------------


def add_file(session: Session, example: Example, storage) -> ExampleFile | None:
    """Store an uploaded file with the example (checked like materials); nothing is kept when it
    is refused. None when no file was chosen."""
    upload = uploads.check(storage, "upload")
    if upload is None:
        return None
    written = uploads.store(upload, FOLDER)
    try:
        return _add_file(session, example, written, upload.name)
    except InvalidInput:
        uploads.remove(written)
        raise


@service
def _add_file(session: Session, example: Example, path: str, name: str) -> ExampleFile:
    count = len(session.exec(select(ExampleFile.id).where(
        ExampleFile.example_id == example.id)).all())
    if count >= MAX_FILES:
        raise InvalidInput(_l("Hoogstens %(n)s bestanden per voorbeeld.", n=MAX_FILES), "upload")
    row = ExampleFile(example_id=example.id, file_path=path, file_name=name)
    session.add(row)
    example.updated_at = utcnow()
    session.add(example)
    session.flush()
    events.record(session, ExampleSaved(example_id=example.id))
    return row


@service
def remove_file(session: Session, row: ExampleFile) -> None:
    path = row.file_path
    session.delete(row)
    session.flush()
    events.record(session, ExampleSaved(example_id=row.example_id))
    uploads.remove(path)


def file_name(row: ExampleFile) -> str:
    return row.file_name or f"bestand{Path(row.file_path).suffix}"
