"""The SMTP transport, through yagmail: one connection per batch, messages built by us.

yagmail manages the connection (SSL, STARTTLS, login, or none for a local relay); we build each
message with the standard `email` package — our own Message-ID, a real text part, an iMIP
text/calendar alternative — and hand it to that connection. yagmail's `send()` is not used: it
reconnects on every call, derives the Message-ID from from+to+subject, and treats any string that
names a file on the server as an attachment.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime

import yagmail

from ..clock import utcnow


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, or the server could not be reached or dropped us."""


class PermanentFailure(Exception):
    """Do not try again: a 5xx reply for this message or recipient."""


def build_message(*, sender: str, to: str, subject: str, text: str, html: str = "",
                  message_id: str, calendar: str | None = None, calendar_method: str | None = None,
                  headers: dict[str, str] | None = None) -> EmailMessage:
    """A multipart/alternative mail: text, HTML, and the calendar part when there is one.

    Header values with line breaks raise ValueError (the email package refuses them), so a
    title typed by a user cannot add headers.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    if calendar:
        # iMIP (RFC 6047): METHOD in the MIME type matches METHOD inside the calendar.
        message.add_alternative(calendar, subtype="calendar",
                                params={"method": calendar_method or "REQUEST"})
    return message


def _classify(code: int, reason) -> Exception:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    error = f"{code} {text}".strip()
    return PermanentFailure(error) if 500 <= code < 600 else TemporaryFailure(error)


class Transport:
    """`with Transport(settings) as t: t.send(message)` — one connection for the whole block."""

    def __init__(self, settings, timeout: float = 30.0):
        self.settings = settings
        self.timeout = timeout
        self.client: yagmail.SMTP | None = None

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> None:
        s = self.settings
        skip_login = not s.smtp_user
        try:
            self.client = yagmail.SMTP(
                user=s.smtp_user or s.mail_from, password=s.smtp_password or None,
                host=s.smtp_host, port=s.smtp_port, smtp_ssl=s.smtp_ssl,
                smtp_starttls=s.smtp_starttls, smtp_skip_login=skip_login,
                timeout=self.timeout)
            self.client.login()
        except smtplib.SMTPResponseException as exc:
            self.client = None
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.client = None
            raise TemporaryFailure(f"connection: {exc}") from exc

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def send(self, message: EmailMessage, envelope_from: str, recipient: str) -> None:
        """Send one message to one recipient; raises TemporaryFailure or PermanentFailure.
        After a TemporaryFailure from a dropped connection the transport must be reopened."""
        if self.client is None:
            self.open()
        try:
            refused = self.client.smtp.send_message(message, from_addr=envelope_from,
                                                    to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            raise _classify(code, reason) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self.client = None
            raise TemporaryFailure(f"disconnected: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        except OSError as exc:
            self.client = None
            raise TemporaryFailure(f"connection: {exc}") from exc
        if refused:
            code, reason = next(iter(refused.values()))
            raise _classify(code, reason)

    def _reset(self) -> None:
        """After a refused message, clear the SMTP transaction so the next one can start."""
        try:
            self.client.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.client = None
