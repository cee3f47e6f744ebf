"""The one place where registration and self-service send mail.

Until the scheduler's outbox (`trajectories.mail`) is on main, mail is sent over SMTP right after
the transaction that caused it commits (a rolled-back change sends nothing); switching to the
outbox changes only `send`.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession

log = logging.getLogger(__name__)
_PENDING = "pending_public_mail"


def render(template: str, language: str, **context) -> tuple[str, str, str]:
    """(subject, text, html) of `templates/emails/public_<template>.{txt,html}` (the text
    version has blocks `subject` and `body`), in `language` — as the outbox's `render_mail`."""
    language = "en" if language == "en" else "nl"
    env = current_app.jinja_env
    with force_locale(language):
        context = {"language": language, **context}
        text_template = env.get_template(f"emails/public_{template}.txt")
        ctx = text_template.new_context(dict(context))
        subject = " ".join("".join(text_template.blocks["subject"](ctx)).split())
        text = text_template.render(**context).strip() + "\n"
        html = env.get_template(f"emails/public_{template}.html").render(subject=subject,
                                                                          **context)
    return subject, text, html


def send(session, *, to: str, template: str, language: str, dedupe_key: str,
         participant_id: int | None = None, cohort_id: int | None = None, **context) -> None:
    """Queue a mail in this transaction; it leaves after the commit."""
    subject, text, html = render(template, language, **context)
    settings = current_app.config["SETTINGS"]
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.mail_from.split("@", 1)[1])
    message["X-Trajectories-Kind"] = f"public_{template}"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    session.info.setdefault(_PENDING, []).append((settings, message))


def _deliver(settings, message: EmailMessage) -> None:
    smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
    with smtp_class(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


@sa_event.listens_for(OrmSession, "after_commit")
def _after_commit(session: OrmSession) -> None:
    for settings, message in session.info.pop(_PENDING, []):
        try:
            _deliver(settings, message)
        except (OSError, smtplib.SMTPException):
            log.exception("could not send %s to %s", message["X-Trajectories-Kind"], message["To"])


@sa_event.listens_for(OrmSession, "after_soft_rollback")
def _after_rollback(session: OrmSession, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
