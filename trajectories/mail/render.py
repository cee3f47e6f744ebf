"""Rendering mail: a text and an HTML template per kind (`templates/mail/`), in the
recipient's language.

A mail that goes to many is rendered once per language, with the recipient's name and unsubscribe
link standing in as markers (`render_shared`); each recipient's name and link are put in
afterwards (`put_in`): by `fanout.render_personal` at once, or by the drain from the shared
`MailBody` (`content`).
A template that uses more of the participant than the name is rendered for each person.
"""

from __future__ import annotations

import uuid

from flask import current_app
from flask_babel import force_locale
from markupsafe import escape
from sqlmodel import Session, select

from trajectories.mail import links
from trajectories.mail.models import MailBody, OutboxMessage
from trajectories.mail.preferences import unsubscribe_url


def render_mail(template_name: str, language: str = "nl", **context) -> tuple[str, str, str]:
    """(subject, text, html) from `mail/<name>.txt` (blocks `subject` and `body`) and
    `mail/<name>.html`, in `language` (Dutch unless "en"). Needs an app context."""
    language = "en" if language == "en" else "nl"
    env = current_app.jinja_env
    with force_locale(language):
        context = {"language": language, **context}
        text_template = env.get_template(f"mail/{template_name}.txt")
        ctx = text_template.new_context(dict(context))
        subject = " ".join("".join(text_template.blocks["subject"](ctx)).split())
        text = text_template.render(**context).strip() + "\n"
        html = env.get_template(f"mail/{template_name}.html").render(subject=subject, **context)
    return subject, text, html


class _Personal(Exception):
    """A template used more of the participant than its name: render it for each one."""


class _StandIn:
    """The participant of a template rendered once for many: only the name (a marker), the
    language (the same for every recipient of a rendering) and own links (`personal_token`)."""

    def __init__(self, name: str, language: str = "nl", marker: str = ""):
        self.name = name
        self.language = language
        self.marker = marker

    def __getattr__(self, attribute):
        raise _Personal(attribute)


def new_marker() -> str:
    """A string no template or user writes: the recipient's name and link stand in as it plus
    "n" and "l"."""
    return f"~{uuid.uuid4().hex}~"


def render_shared(template_name: str, language: str, marker: str, *, link: bool,
                  **context) -> tuple[str, str, str] | None:
    """`render_mail` once for many recipients, their name and (`link`) unsubscribe link standing
    in as `marker`; None when the template uses more of the participant than the name, or puts
    a marker in the subject (which is the same for everyone)."""
    try:
        subject, text, html = render_mail(template_name, language,
                                          participant=_StandIn(marker + "n", language, marker),
                                          unsubscribe_url=marker + "l" if link else None,
                                          **context)
    except _Personal:
        return None
    return None if marker in subject else (subject, text, html)


def personal_token(secret_key: str, participant, purpose: str, subject_id: int) -> str:
    """The participant's own signed token for a link in a mail (`links`); in a mail rendered
    once for many, a stand-in that `put_in` replaces for each recipient."""
    if isinstance(participant, _StandIn):
        return links.stand_in(participant.marker, purpose, subject_id)
    return links.make_token(secret_key, purpose, participant.id, subject_id)


def put_in(text: str, html: str, marker: str, name: str, link: str,
           participant_id: int | None = None,
           secret_key: str | None = None) -> tuple[str, str]:
    """(text, html) of `render_shared` with one recipient's name and link (escaped in the HTML),
    and their own tokens (`personal_token`) when `secret_key` is given, else a placeholder."""
    name_at, link_at = marker + "n", marker + "l"
    text = text.replace(name_at, name).replace(link_at, link)
    html = html.replace(name_at, str(escape(name))).replace(link_at, str(escape(link)))
    return (links.put_in_tokens(text, marker, secret_key, participant_id),
            links.put_in_tokens(html, marker, secret_key, participant_id))


def bodies_of(session: Session, rows) -> dict[int, MailBody]:
    """The shared bodies the rows point at, by id."""
    ids = {row.body_id for row in rows if row.body_id is not None}
    if not ids:
        return {}
    return {body.id: body for body in session.exec(select(MailBody).where(MailBody.id.in_(ids)))}


def content(row: OutboxMessage, body: MailBody | None, settings, *,
            sending: bool = False) -> tuple[str, str, str]:
    """(subject, text, html) of a row as it is sent: its own text, or its shared body with the
    recipient's name and unsubscribe link put in (escaped in the HTML). Their own signed links
    (`personal_token`) only when `sending`: a copy shown to a coordinator has placeholders."""
    if body is None:
        return row.subject, row.text, row.html
    link = unsubscribe_url(settings, row.participant_id, row.kind, row.edition_id) or ""
    return (row.subject, *put_in(body.text, body.html, body.marker, row.to_name, link,
                                 row.participant_id, settings.secret_key if sending else None))


def row_content(session: Session, row: OutboxMessage, settings) -> tuple[str, str, str]:
    """`content` of one row, its body read from the session."""
    body = session.get(MailBody, row.body_id) if row.body_id is not None else None
    return content(row, body, settings)
