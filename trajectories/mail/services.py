"""Coordinators' mail actions: hold and release an edition's mail, the review step, retry a
failed mail, a one-off message to an edition.

Each is one transaction that records a domain event (the audit log says who did it).
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, Track
from trajectories.core import events
from trajectories.core import service as base
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.mail import fanout, outbox
from trajectories.mail.events import (
    MailReleased,
    MailRetried,
    MailSettingsChanged,
    OneOffMessageQueued,
)
from trajectories.mail.models import EditionMailSettings, MailKind, MailStatus, OutboxMessage
from trajectories.mail.recipients import enrolled_ids
from trajectories.people.models import ENROLLED, TAKING_PART


def day_list(value, field: str, *, allow_negative: bool) -> list[int]:
    """'14, 3, 0, -2' as [14, 3, 0, -2]: whole days, at most a year away, no repeats."""
    if isinstance(value, list | tuple):
        parts = [str(v) for v in value]
    else:
        parts = [p for p in str(value or "").replace(";", ",").split(",") if p.strip()]
    try:
        days = sorted({int(p.strip()) for p in parts}, reverse=True)
    except ValueError:
        raise InvalidInput(_l("Schrijf hele dagen met komma's ertussen, zoals 7, 1."),
                           field) from None
    lowest = -365 if allow_negative else 0
    if any(d < lowest or d > 365 for d in days):
        raise InvalidInput(_l("Dagen liggen tussen %(low)s en 365.", low=lowest), field)
    return days


@service
def set_mail_settings(session: Session, edition: Edition, *, hold: bool, review_coaching: bool,
                      reminder_days=None, nudge_days=None, send_hour=None,
                      coaching_delay_hours="keep") -> EditionMailSettings:
    """Hold all of an edition's mail, let coaching mails wait for review, and set the nudge
    policy (None keeps a value). Switching the hold off releases what it held (drafts waiting
    for review stay held)."""
    row = session.get(EditionMailSettings, edition.id) or EditionMailSettings(edition_id=edition.id)
    if reminder_days is not None:
        row.reminder_days = day_list(reminder_days, "reminder_days", allow_negative=False)
    if nudge_days is not None:
        row.nudge_days = day_list(nudge_days, "nudge_days", allow_negative=True)
    if send_hour is not None:
        if not isinstance(send_hour, int) or not 0 <= send_hour <= 23:
            raise InvalidInput(_l("Kies een uur van 0 tot en met 23."), "send_hour")
        row.send_hour = send_hour
    if coaching_delay_hours != "keep":
        if coaching_delay_hours is not None and (
                not isinstance(coaching_delay_hours, int) or not 0 <= coaching_delay_hours <= 168):
            raise InvalidInput(_l("Kies 0 tot en met 168 uur, of laat het leeg voor geen "
                                  "coachingsmail."), "coaching_delay_hours")
        row.coaching_delay_hours = coaching_delay_hours
    was_holding = row.hold
    row.hold, row.review_coaching, row.updated_at = bool(hold), bool(review_coaching), utcnow()
    session.add(row)
    if was_holding and not row.hold:
        held = select(OutboxMessage).where(OutboxMessage.edition_id == edition.id,
                                           OutboxMessage.status == MailStatus.HELD)
        if row.review_coaching:
            held = held.where(OutboxMessage.kind.notin_([str(k) for k in outbox.REVIEWED_KINDS]))
        ids = [m.id for m in session.exec(held)]
        if ids:
            outbox.release_held.__wrapped__(session, edition.id, ids)
            events.record(session, MailReleased(edition_id=edition.id, count=len(ids)))
    session.flush()
    if coaching_delay_hours is None:
        # A new row would get the column default (2) for a None: write the None explicitly.
        session.execute(update(EditionMailSettings)
                        .where(EditionMailSettings.edition_id == edition.id)
                        .values(coaching_delay_hours=None))
        session.refresh(row)
    events.record(session, MailSettingsChanged(edition_id=edition.id, hold=row.hold,
                                               review_coaching=row.review_coaching))
    return row


@service
def release_mail(session: Session, edition: Edition, ids: list[int] | None = None) -> int:
    """Release held mails of an edition (the given ones, or all)."""
    if ids is not None and not ids:
        raise InvalidInput(_l("Kies eerst een of meer mails."), "selected")
    count = outbox.release_held.__wrapped__(session, edition.id, ids)
    if ids is not None and count != len(set(ids)):
        raise InvalidInput(_l("Alleen vastgehouden mails van deze editie kunnen worden "
                              "vrijgegeven."), "selected")
    events.record(session, MailReleased(edition_id=edition.id, count=count))
    return count


@service
def retry_mail(session: Session, message: OutboxMessage) -> OutboxMessage:
    if message.status != MailStatus.FAILED:
        raise InvalidInput(_l("Alleen mislukte mails kunnen opnieuw worden verstuurd."))
    row = outbox.retry.__wrapped__(session, message.id)
    events.record(session, MailRetried(edition_id=message.edition_id, message_id=message.id))
    return row


RECIPIENTS = {
    "admitted": TAKING_PART,
    "active": ENROLLED,
}


def recipient_ids(edition: Edition, group: str):
    """SELECT of the ids of the edition's participants in `group` (a key of RECIPIENTS)."""
    return enrolled_ids(edition.id, RECIPIENTS[group])


def recipient_count(session: Session, edition: Edition, group: str) -> int:
    """How many the group has (one enrollment per participant and edition), counted in SQL."""
    return session.exec(select(func.count()).select_from(
        recipient_ids(edition, group).subquery())).one()


@service
def send_one_off(session: Session, edition: Edition, *, subject: str, body: str,
                 group: str = "admitted") -> int:
    """Queue one message to every participant of the group (one statement, `fanout.fan_out`);
    held if the edition is on hold."""
    subject = base.text(subject, "subject", _l("Onderwerp"), max_length=200)
    body = base.text(body, "body", _l("Bericht"), max_length=20000, multiline=True)
    base.choice(group, list(RECIPIENTS), "group", _l("ontvangers"))
    if session.exec(recipient_ids(edition, group).limit(1)).first() is None:
        raise InvalidInput(_l("Deze editie heeft (nog) geen ontvangers in deze groep."), "group")
    settings, prefix = current_app.config["SETTINGS"], f"one-off:{edition.id}:{secrets.token_hex(8)}:"
    context = dict(edition=edition, track=session.get(Track, edition.track_id),
                   message_subject=subject, body=body)
    queued = fanout.fan_out(session, settings, recipient_ids(edition, group),
                            template="announcement", kind=MailKind.ANNOUNCEMENT,
                            dedupe_prefix=prefix, edition_id=edition.id, **context)
    events.record(session, OneOffMessageQueued(edition_id=edition.id, count=queued))
    return queued
