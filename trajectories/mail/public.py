"""The one place where registration and self-service send mail: through the outbox
(`trajectories.mail`), in the caller's transaction, so a rolled-back change sends nothing.

These mails (confirmation, sign-in link, the outcome of a registration) answer something the
person just did: they have no preference switch and no unsubscribe link.
"""

from __future__ import annotations

from trajectories.mail.outbox import queue_mail
from trajectories.mail.render import render_mail


def send(session, *, to: str, template: str, language: str, dedupe_key: str,
         participant_id: int | None = None, edition_id: int | None = None, **context) -> None:
    """Render `templates/mail/public_<template>.{txt,html}` and queue it."""
    kind = f"public_{template}"
    subject, text, html = render_mail(kind, language, **context)
    queue_mail(session, to=to, kind=kind, subject=subject, text=text, html=html,
               dedupe_key=dedupe_key, participant_id=participant_id, edition_id=edition_id)
