"""One moment to many recipients, rendered once.

`fan_out` queues the same mail to everyone a SELECT of participant ids names, in one
INSERT ... SELECT: the template is rendered once per language into a `MailBody` and the drain
puts in each name and link. `render_personal` is for mails queued one by one (an invitation
carries each person's calendar): rendered once per language in the transaction, each person's
name and link put in at once. Both fall back to a rendering per person when the template uses
more of the participant than the name (`render.render_shared`).
"""

from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import String, case, cast, delete, exists, false, insert, literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from trajectories.core.clock import utcnow
from trajectories.mail.models import MailBody, MailPreference, OutboxMessage, preference_kind
from trajectories.mail.outbox import cached, initial_status, queue_mail
from trajectories.mail.preferences import unsubscribe_url
from trajectories.mail.render import new_marker, put_in, render_mail, render_shared
from trajectories.people.models import Participant


def render_personal(session: Session, template_name: str, participant, unsubscribe_url: str | None,
                    **context) -> tuple[str, str, str]:
    """`render_mail` for one participant of a fan-out: rendered once per language (and
    context) in the transaction, then the participant's name and unsubscribe link put in
    (escaped in the HTML). A template that uses more of the participant is rendered for each."""
    shape = tuple(sorted((k, v if isinstance(v, str | int | float | bool | type(None)) else id(v))
                         for k, v in context.items()))
    key = ("render", template_name, participant.language, unsubscribe_url is None, shape)

    def once():
        marker = new_marker()
        shared = render_shared(template_name, participant.language, marker,
                               link=bool(unsubscribe_url), **context)
        return shared and (marker, *shared)

    shared = cached(session, key, once)
    if shared is None:
        return render_mail(template_name, participant.language, participant=participant,
                           unsubscribe_url=unsubscribe_url, **context)
    marker, subject, text, html = shared
    return (subject, *put_in(text, html, marker, participant.name, unsubscribe_url or "",
                             participant.id, current_app.config["SECRET_KEY"]))


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
        marker = new_marker()
        shared = render_shared(template, language, marker, link=link, **context)
        if shared is None or len(dedupe_prefix) > 280:
            return None
        subject, text, html = shared
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
        "status": literal(str(initial_status(session, edition_id, kind))), "attempts": literal(0),
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
