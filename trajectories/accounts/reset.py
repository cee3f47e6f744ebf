"""The password-reset mail: queued in the outbox like every other mail, recorded in the log."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from trajectories.accounts.events import PasswordResetRequested
from trajectories.accounts.models import Coordinator
from trajectories.core import events
from trajectories.core.service import service
from trajectories.mail import outbox, render
from trajectories.mail.models import MailKind


@service
def queue_password_reset(session: Session, coordinator: Coordinator, link: str) -> None:
    _subject, text, html = render.render_mail("password_reset", "nl", coordinator=coordinator,
                                              link=link)
    outbox.queue_mail(session, to=coordinator.email, kind=MailKind.OTHER, subject=_subject,
                      text=text, html=html,
                      dedupe_key=f"password-reset:{coordinator.id}:{secrets.token_hex(8)}")
    events.record(session, PasswordResetRequested(coordinator_id=coordinator.id))
