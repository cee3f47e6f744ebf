"""The outbox: every mail is a row first, written in the caller's transaction.

`queue_mail` adds a row to the session's transaction: when that transaction rolls back, nothing is
queued; when a row with the same dedupe key exists, nothing new is queued (INSERT ... ON CONFLICT
DO NOTHING, on SQLite and PostgreSQL alike, so the caller's transaction is not broken by it).
The drain (`trajectories.mail.drain`) sends the rows later. Rendering lives here too: a text and
an HTML template per kind in `templates/emails/`, in the recipient's language.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import escape
from sqlalchemy import String, bindparam, case, cast, delete, event, exists, false, insert, literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.mail.models import (
    PREFERENCE_KINDS,
    EditionMailSettings,
    MailBody,
    MailKind,
    MailPreference,
    MailStatus,
    OutboxMessage,
    preference_kind,
    settings_for,
)
from trajectories.people.models import Enrollment, Participant

#: Mail kinds a coordinator reviews first when the edition has the review step on.
REVIEWED_KINDS = (MailKind.COACHING,)


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@trajectories>"


def _dedupe(key: str) -> str:
    """Keys longer than the column become a readable prefix plus a hash (still unique)."""
    if len(key) <= 300:
        return key
    return key[:230] + "#" + hashlib.sha256(key.encode()).hexdigest()


def _calendar_method(calendar: str | None) -> str | None:
    if not calendar:
        return None
    match = re.search(r"^METHOD:(\w+)\s*$", calendar, re.MULTILINE)
    return match.group(1).upper() if match else "PUBLISH"


# --- what a fan-out reads once, not once per recipient ----------------------------------------


def _cached(session: Session, key, load):
    """`load()` once per transaction of `session` (a fan-out queues a thousand mails in one).
    Dropped when the transaction ends or when the session flushes a preference or an edition's
    mail settings (see `_forget_on_change`)."""
    cache = session.info.get("outbox.cache")
    transaction = session.get_transaction()
    if cache is None or cache.get(None) is not transaction:
        cache = session.info["outbox.cache"] = {None: transaction}
    if key not in cache:
        cache[key] = load()
    return cache[key]


@event.listens_for(OrmSession, "before_flush")
def _forget_on_change(session, _context, _instances) -> None:
    if "outbox.cache" in session.info and any(
            isinstance(row, MailPreference | EditionMailSettings)
            for row in (*session.new, *session.dirty, *session.deleted)):
        del session.info["outbox.cache"]


def _edition_preferences(session: Session, edition_id: int) -> dict[int, dict[str, bool]]:
    """{participant id: {preference kind: enabled}} for everyone enrolled in an edition."""
    found: dict[int, dict[str, bool]] = {pid: {} for pid in session.exec(
        select(Enrollment.participant_id).where(Enrollment.edition_id == edition_id))}
    for row in session.exec(select(MailPreference).join(
            Enrollment, Enrollment.participant_id == MailPreference.participant_id)
            .where(Enrollment.edition_id == edition_id)):
        found[row.participant_id][row.kind] = row.enabled
    return found


def mail_enabled(session: Session, participant_id: int | None, kind: str,
                 edition_id: int | None = None) -> bool:
    """Whether this participant still wants this kind of mail (no row: yes)."""
    preference = preference_kind(kind)
    if participant_id is None or preference is None:
        return True
    if edition_id is not None:
        known = _cached(session, ("preferences", edition_id),
                        lambda: _edition_preferences(session, edition_id)).get(participant_id)
        if known is not None:
            return known.get(preference, True)
    row = session.get(MailPreference, (participant_id, preference))
    return row is None or row.enabled


_INSERTS: dict[str, object] = {}


def _insert_statement(dialect: str):
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, built once per dialect with
    a bound parameter per column (building it per mail cost more than the insert)."""
    if dialect not in _INSERTS:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        table = OutboxMessage.__table__
        columns = [c.name for c in table.columns if c.name != "id"]
        _INSERTS[dialect] = (insert(table).values({c: bindparam(c) for c in columns})
                             .on_conflict_do_nothing(index_elements=["dedupe_key"])
                             .returning(table.c.id))
    return _INSERTS[dialect]


def _status(session: Session, edition_id: int | None, kind: str) -> MailStatus:
    """Held when the edition holds all its mail, or reviews this kind first; else queued."""
    if edition_id is not None:
        edition_settings = _cached(session, ("settings", edition_id),
                                  lambda: settings_for(session, edition_id))
        if edition_settings.hold or (edition_settings.review_coaching and kind in REVIEWED_KINDS):
            return MailStatus.HELD
    return MailStatus.QUEUED


def queue_mail(session: Session, *, to: str, kind: str, subject: str, text: str, html: str = "",
               calendar: str | None = None, dedupe_key: str, participant_id: int | None = None,
               edition_id: int | None = None, row: bool = True) -> OutboxMessage | bool | None:
    """Add one mail to the caller's transaction. Returns the new row, or None when nothing was
    queued (same dedupe key already queued, or the participant switched this kind off); with
    `row=False` only True or None (a fan-out then reads no row back)."""
    if "\n" in to or "\r" in to or "\n" in subject or "\r" in subject:
        raise ValueError("line breaks in a recipient or subject")  # header injection
    if not mail_enabled(session, participant_id, kind, edition_id):
        return None
    status = _status(session, edition_id, kind)
    key = _dedupe(dedupe_key)
    values = dict(to=to, to_name="", body_id=None, kind=str(kind), subject=subject[:300], text=text, html=html,
                  calendar=calendar, calendar_method=_calendar_method(calendar),
                  message_id=new_message_id(), dedupe_key=key, participant_id=participant_id,
                  edition_id=edition_id, status=str(status), attempts=0,
                  next_attempt_at=utcnow(), claimed_at=None, claimed_by="", last_error="",
                  created_at=utcnow(), sent_at=None)
    together = session.info.get("outbox.together")
    if together is not None and not row:
        together.rows.append(values)  # written by `queued_together` in one statement
        return True
    session.flush()
    new_id = session.execute(_insert_statement(session.get_bind().dialect.name), values).scalar()
    if new_id is None:
        return None
    return session.get(OutboxMessage, new_id) if row else True


class Together:
    """What `queued_together` wrote: `count` mails queued (a dedupe key already queued is not)."""

    def __init__(self):
        self.count, self.rows = 0, []


@contextmanager
def queued_together(session: Session, chunk: int = 500) -> Iterator[Together]:
    """Within the block, `queue_mail(..., row=False)` collects its rows; at the end they are
    written with multi-row INSERTs (a fan-out's thousand single INSERTs were most of its time).
    `count` then says how many were new; queue_mail's own True is only "not switched off"."""
    result = Together()
    session.info["outbox.together"] = result
    try:
        yield result
    finally:
        del session.info["outbox.together"]
    together = result.rows
    if together:
        session.flush()
        statement = _insert_statement(session.get_bind().dialect.name)
        for start in range(0, len(together), chunk):
            result.count += len(session.execute(
                statement, together[start:start + chunk]).all())


@service
def release_held(session: Session, edition_id: int, ids: list[int] | None = None) -> int:
    """Let held mails of an edition go (all of them, or the given ids); returns how many."""
    query = select(OutboxMessage).where(OutboxMessage.edition_id == edition_id,
                                        OutboxMessage.status == MailStatus.HELD)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    rows = list(session.exec(query))
    for row in rows:
        row.status, row.next_attempt_at = MailStatus.QUEUED, utcnow()
        session.add(row)
    return len(rows)


@service
def retry(session: Session, message_id: int) -> OutboxMessage:
    """Queue a failed (or held) mail again, now, with its attempts reset."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise InvalidInput(_l("Deze mail bestaat niet."))
    if row.status == MailStatus.SENT:
        raise InvalidInput(_l("Deze mail is al verzonden."))
    row.status, row.attempts, row.next_attempt_at = MailStatus.QUEUED, 0, utcnow()
    row.claimed_at, row.claimed_by = None, ""
    session.add(row)
    return row


# --- rendering -----------------------------------------------------------------------------------


def render_mail(template_name: str, language: str = "nl", **context) -> tuple[str, str, str]:
    """(subject, text, html) from `emails/<name>.txt` (blocks `subject` and `body`) and
    `emails/<name>.html`, in `language` (Dutch unless "en"). Needs an app context."""
    language = "en" if language == "en" else "nl"
    env = current_app.jinja_env
    with force_locale(language):
        context = {"language": language, **context}
        text_template = env.get_template(f"emails/{template_name}.txt")
        ctx = text_template.new_context(dict(context))
        subject = " ".join("".join(text_template.blocks["subject"](ctx)).split())
        text = text_template.render(**context).strip() + "\n"
        html = env.get_template(f"emails/{template_name}.html").render(subject=subject, **context)
    return subject, text, html


class _Personal(Exception):
    """A template used more of the participant than its name: render it for each one."""


_NAME, _LINK = "\x00name\x00", "\x00link\x00"


class _StandIn:
    """The participant of a template rendered once for a whole fan-out: only the name."""

    name = _NAME

    def __getattr__(self, attribute):
        raise _Personal(attribute)


def render_personal(session: Session, template_name: str, participant, unsubscribe_url: str | None,
                    **context) -> tuple[str, str, str]:
    """`render_mail` for one participant of a fan-out: rendered once per language (and
    context) in the transaction, then the participant's name and unsubscribe link put in
    (escaped in the HTML). A template that uses more of the participant is rendered for each."""
    shape = tuple(sorted((k, v if isinstance(v, str | int | float | bool | type(None)) else id(v))
                         for k, v in context.items()))
    key = ("render", template_name, participant.language, unsubscribe_url is None, shape)

    def once():
        try:
            return render_mail(template_name, participant.language, participant=_StandIn(),
                               unsubscribe_url=unsubscribe_url and _LINK, **context)
        except _Personal:
            return None

    shared = _cached(session, key, once)
    if shared is None or _NAME in shared[0] or _LINK in shared[0]:
        return render_mail(template_name, participant.language, participant=participant,
                           unsubscribe_url=unsubscribe_url, **context)
    subject, text, html = shared
    link = unsubscribe_url or ""
    return (subject, text.replace(_NAME, participant.name).replace(_LINK, link),
            html.replace(_NAME, str(escape(participant.name))).replace(_LINK, str(escape(link))))


# --- one moment to many: one INSERT ... SELECT ---------------------------------------------------


def fan_out(session: Session, settings, recipients, *, template: str, kind: str,
            dedupe_prefix: str, edition_id: int, **context) -> int:
    """Queue one mail to each participant whose id `recipients` (a SELECT of participant ids)
    yields, in one INSERT ... SELECT: the template is rendered once per language into a
    `MailBody`, each row points at its language's body and keeps the recipient's name; the drain
    puts in name and unsubscribe link (`content`). Dedupe key `dedupe_prefix` + "p<id>", opt-outs
    skipped, held when the edition holds. Returns how many were queued. A template that needs
    more of the participant than the name is rendered and queued for each person."""
    count = _together(session, recipients, template=template, kind=kind,
                      dedupe_prefix=dedupe_prefix, edition_id=edition_id, **context)
    if count is None:
        count = _each(session, settings, recipients, template=template, kind=kind,
                      dedupe_prefix=dedupe_prefix, edition_id=edition_id, **context)
    together = session.info.get("outbox.together")
    if together is not None:  # `queued_together` counts only the rows it writes itself
        together.count += count
    return count


def _together(session: Session, recipients, *, template: str, kind: str, dedupe_prefix: str,
              edition_id: int, **context) -> int | None:
    """`fan_out` in one INSERT ... SELECT; None when the template needs more than the name."""
    link = preference_kind(kind) is not None
    bodies = {}
    for language in ("nl", "en"):
        marker = f"~{uuid.uuid4().hex}~"
        try:
            stand_in = _StandIn()
            stand_in.name = marker + "n"
            subject, text, html = render_mail(template, language, participant=stand_in,
                                              unsubscribe_url=link and marker + "l", **context)
        except _Personal:
            subject = marker
        if marker in subject or len(dedupe_prefix) > 280:
            return None
        bodies[language] = dict(subject=subject[:300], text=text, html=html, marker=marker,
                                created_at=utcnow())
    session.flush()
    for body in bodies.values():
        body["id"] = session.execute(insert(MailBody).values(body).returning(MailBody.id)).scalar()
    outbox, people, now = OutboxMessage.__table__, Participant.__table__, utcnow()
    english = people.c.language == "en"
    when = outbox.c.created_at.type
    columns = {
        "to": people.c.email, "to_name": people.c.name, "kind": literal(str(kind)),
        "subject": case((english, bodies["en"]["subject"]), else_=bodies["nl"]["subject"]),
        "text": literal(""), "html": literal(""),
        "body_id": case((english, bodies["en"]["id"]), else_=bodies["nl"]["id"]),
        "message_id": literal(f"<{uuid.uuid4().hex}.") + cast(people.c.id, String)
        + literal("@trajectories>"),
        "dedupe_key": literal(dedupe_prefix) + "p" + cast(people.c.id, String),
        "participant_id": people.c.id, "edition_id": literal(edition_id),
        "status": literal(str(_status(session, edition_id, kind))), "attempts": literal(0),
        "next_attempt_at": literal(now, when), "claimed_by": literal(""),
        "last_error": literal(""), "created_at": literal(now, when),
    }
    rows = select(*(value.label(name) for name, value in columns.items())).where(
        people.c.id.in_(recipients))
    preference = preference_kind(kind)
    if preference is not None:
        rows = rows.where(~exists().where(MailPreference.participant_id == people.c.id,
                                          MailPreference.kind == preference,
                                          MailPreference.enabled == false()))
    dialect = session.get_bind().dialect.name
    into = (pg_insert if dialect == "postgresql" else sqlite_insert)(outbox)
    count = len(session.execute(  # (rowcount is -1 here with psycopg)
        into.from_select(list(columns), rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(outbox.c.id)).all())
    ids = [body["id"] for body in bodies.values()]
    session.execute(delete(MailBody).where(  # a language nobody got, or a second firing
        MailBody.id.in_(ids), ~exists().where(OutboxMessage.body_id == MailBody.id)))
    return count


def _each(session: Session, settings, recipients, *, template: str, kind: str,
          dedupe_prefix: str, edition_id: int, **context) -> int:
    """`fan_out` one person at a time: rendered for each, queued with `queue_mail`."""
    people = session.exec(select(Participant).where(Participant.id.in_(recipients))
                          .order_by(Participant.id))
    count = 0
    for person in people:
        subject, text, html = render_mail(
            template, person.language, participant=person,
            unsubscribe_url=unsubscribe_url(settings, person.id, kind), **context)
        count += queue_mail(session, to=person.email, kind=kind, subject=subject, text=text,
                            html=html, dedupe_key=f"{dedupe_prefix}p{person.id}",
                            participant_id=person.id, edition_id=edition_id) is not None
    return count


def bodies_of(session: Session, rows) -> dict[int, MailBody]:
    """The shared bodies the rows point at, by id."""
    ids = {row.body_id for row in rows if row.body_id is not None}
    if not ids:
        return {}
    return {body.id: body for body in session.exec(select(MailBody).where(MailBody.id.in_(ids)))}


def content(row: OutboxMessage, body: MailBody | None, settings) -> tuple[str, str, str]:
    """(subject, text, html) of a row as it is sent: its own text, or its shared body with the
    recipient's name and unsubscribe link put in (escaped in the HTML)."""
    if body is None:
        return row.subject, row.text, row.html
    link = unsubscribe_url(settings, row.participant_id, row.kind) or ""
    name, here = body.marker + "n", body.marker + "l"
    return (row.subject, body.text.replace(name, row.to_name).replace(here, link),
            body.html.replace(name, str(escape(row.to_name))).replace(here, str(escape(link))))


def row_content(session: Session, row: OutboxMessage, settings) -> tuple[str, str, str]:
    """`content` of one row, its body read from the session."""
    body = session.get(MailBody, row.body_id) if row.body_id is not None else None
    return content(row, body, settings)


# --- preferences and unsubscribe ------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="mail-unsubscribe")


def unsubscribe_token(secret_key: str, participant_id: int, kind: str) -> str:
    """A signed token for 'switch off this kind of mail' (no expiry: links in old mails work)."""
    return _serializer(secret_key).dumps([participant_id, preference_kind(kind) or kind])


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[int, str] | None:
    try:
        participant_id, kind = _serializer(secret_key).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if kind not in PREFERENCE_KINDS or not isinstance(participant_id, int):
        return None
    return participant_id, kind


def unsubscribe_url(settings, participant_id: int | None, kind: str) -> str | None:
    """The one-click link for this participant and kind; None when it cannot be switched off."""
    if participant_id is None or preference_kind(kind) is None:
        return None
    token = unsubscribe_token(settings.secret_key, participant_id, kind)
    return f"{settings.base_url}/mail/afmelden/{token}"


def mail_preferences(session: Session, participant: Participant) -> dict[str, bool]:
    """{preference kind: enabled} for every kind a participant can switch off."""
    stored = {row.kind: row.enabled for row in session.exec(
        select(MailPreference).where(MailPreference.participant_id == participant.id))}
    return {kind: stored.get(kind, True) for kind in PREFERENCE_KINDS}


PREFERENCE_LABELS = {
    "welcome": _l("Welkomstmails bij een toelating"),
    "invitation": _l("Uitnodigingen en wijzigingen van sessies"),
    "reminder": _l("Herinneringen aan sessies"),
    "nudge": _l("Herinneringen aan deadlines"),
    "coaching": _l("Coachingsmails na een sessie"),
    "announcement": _l("Berichten van de coördinator aan een editie"),
}


@service
def set_mail_preference(session: Session, participant: Participant, kind: str,
                        enabled: bool) -> None:
    """Switch one kind of mail on or off for a participant; queued mails of that kind that have
    not gone yet are withdrawn (failed, "afgemeld") when it is switched off."""
    if kind not in PREFERENCE_KINDS:
        raise InvalidInput(_l("Onbekend soort e-mail."), "kind")
    row = session.get(MailPreference, (participant.id, kind)) or MailPreference(
        participant_id=participant.id, kind=kind)
    row.enabled, row.updated_at = bool(enabled), utcnow()
    session.add(row)
    if not enabled:
        for message in session.exec(select(OutboxMessage).where(
                OutboxMessage.participant_id == participant.id,
                OutboxMessage.kind.in_([str(k) for k in PREFERENCE_KINDS[kind]]),
                OutboxMessage.status.in_([MailStatus.QUEUED, MailStatus.HELD]))):
            message.status, message.last_error = MailStatus.FAILED, "unsubscribed"
            session.add(message)
