"""The SMTP transport, through yagmail: one connection per batch, messages built by us.

yagmail manages the connection (SSL, STARTTLS, login, or none for a local relay); we build each
message with the standard `email` package — our own Message-ID, a real text part, an iMIP
text/calendar alternative — and hand it to that connection. yagmail's `send()` is not used: it
reconnects on every call, derives the Message-ID from from+to+subject, and treats any string that
names a file on the server as an attachment.
"""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email.charset import QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import formatdate
from io import BytesIO

import yagmail

from trajectories.core.clock import utcnow


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, or the server could not be reached or dropped us."""


class PermanentFailure(Exception):
    """Do not try again: a 5xx reply for this message or recipient."""


_QP = Charset("utf-8")
_QP.body_encoding = QP  # readable in the raw message, safe for long lines


class _WirePolicy(Compat32):
    """compat32 with CRLF line ends and lines up to 998 characters (RFC 5322's limit: a long
    List-Unsubscribe stays on one line). A plain ASCII value that fits is written as it is;
    the stdlib runs every value through email.header.Header, a third of the drain's time."""

    def _fold(self, name, value, sanitize):
        if (isinstance(value, str) and value.isascii() and "\n" not in value
                and "\r" not in value and len(name) + 2 + len(value) <= self.max_line_length):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


_WIRE = _WirePolicy(linesep="\r\n", max_line_length=998)


def _header(name: str, value: str) -> str | Header:
    # A line break in a header value could add headers (injection): refuse it outright.
    if "\r" in value or "\n" in value:
        raise ValueError(f"line break in the {name} header")
    return value if value.isascii() else Header(value, "utf-8")


def build_message(*, sender: str, to: str, subject: str, text: str, html: str = "",
                  message_id: str, calendar: str | None = None, calendar_method: str | None = None,
                  headers: dict[str, str] | None = None) -> Message:
    """A multipart/alternative mail: text, HTML, and the calendar part when there is one.

    Built with the `email.mime` classes (about 15 times faster here than EmailMessage's header
    registry, which mattered for the drain's throughput); header values with line breaks raise
    ValueError, so a title typed by a user cannot add headers.
    """
    # "=_" cannot occur in quoted-printable parts, so the boundary needs no search through them
    # (the stdlib compiles a regular expression per message for that search).
    message = MIMEMultipart("alternative", boundary=f"=_{uuid.uuid4().hex}")
    for name, value in (("From", sender), ("To", to), ("Subject", subject),
                        ("Date", formatdate(utcnow().timestamp(), usegmt=True)), ("Message-ID", message_id),
                        ("Auto-Submitted", "auto-generated"), *(headers or {}).items()):
        message[name] = _header(name, value)
    message.attach(MIMEText(text, "plain", _QP))
    if html:
        message.attach(MIMEText(html, "html", _QP))
    if calendar:
        # iMIP (RFC 6047): METHOD in the MIME type matches METHOD inside the calendar.
        part = MIMEText(calendar, "calendar", _QP)
        part.set_param("method", calendar_method or "REQUEST")
        message.attach(part)
    return message


def as_bytes(message: Message) -> bytes:
    out = BytesIO()
    BytesGenerator(out, policy=_WIRE).flatten(message)
    return out.getvalue()


def _classify(code: int, reason) -> Exception:
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    error = f"{code} {text}".strip()
    return PermanentFailure(error) if 500 <= code < 600 else TemporaryFailure(error)


class Transport:
    """`with Transport(settings) as t: t.envelope(...); t.content(...)` — one connection for the
    whole block."""

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
            with suppress(OSError, smtplib.SMTPException):  # the server may have gone
                self.client.close()
            self.client = None

    def envelope(self, envelope_from: str, recipient: str,
                 meanwhile: Callable[[], object] = lambda: None) -> None:
        """Start one message to one recipient (MAIL FROM, RCPT TO); raises TemporaryFailure or
        PermanentFailure. After a TemporaryFailure with `client` None, reopen the transport.
        `meanwhile()` runs while the server answers the MAIL FROM."""
        if self.client is None:
            self.open()
        with self._failures():
            smtp = self.client.smtp
            smtp.ehlo_or_helo_if_needed()  # as smtplib's sendmail does
            smtp.putcmd("mail", f"FROM:{smtplib.quoteaddr(envelope_from)}")
            meanwhile()
            code, reply = smtp.getreply()
            if code != 250:
                raise self._refused(code, reply)
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise self._refused(code, reply)

    def content(self, message: bytes) -> None:
        """Hand over the message begun with `envelope` (`as_bytes`): once this returns, the server
        has taken it. Raises TemporaryFailure or PermanentFailure."""
        with self._failures():
            code, reply = self.client.smtp.data(message)
            if code != 250:
                raise self._refused(code, reply)

    @contextmanager
    def _failures(self) -> Iterator[None]:
        try:
            yield
        except smtplib.SMTPServerDisconnected as exc:
            self.client = None
            raise TemporaryFailure(f"disconnected: {exc}") from exc
        except smtplib.SMTPResponseException as exc:  # DATA refused before the content
            raise self._refused(exc.smtp_code, exc.smtp_error) from exc
        except OSError as exc:
            self.client = None
            raise TemporaryFailure(f"connection: {exc}") from exc

    def _refused(self, code: int, reply) -> Exception:
        if code == 421:  # the server is closing the connection
            self.close()
        else:
            self._reset()
        return _classify(code, reply)

    def _reset(self) -> None:
        """After a refused message, clear the SMTP transaction so the next one can start."""
        try:
            self.client.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.client = None
