"""The SMTP transport, through yagmail: one connection per batch, messages built by us.

yagmail manages the connection (SSL, STARTTLS, login, or none for a local relay); we build each
message ourselves — our own Message-ID, a real text part, an iMIP text/calendar alternative —
and hand it to that connection. yagmail's `send()` is not used: it
reconnects on every call, derives the Message-ID from from+to+subject, and treats any string that
names a file on the server as an attachment.
"""

from __future__ import annotations

import functools
import re
import smtplib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email import quoprimime
from email.header import Header
from email.policy import compat32
from email.utils import formatdate, quote

import yagmail

from trajectories.core.clock import utcnow


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, or the server could not be reached or dropped us."""


class PermanentFailure(Exception):
    """Do not try again: a 5xx reply for this message or recipient."""


#: compat32 with CRLF line ends and lines up to 998 characters (RFC 5322's limit: a long
#: List-Unsubscribe stays on one line).
_WIRE = compat32.clone(linesep="\r\n", max_line_length=998)


def _header(name: str, value: str) -> bytes:
    """A header line as compat32 writes it: a plain ASCII value that fits as it is (what the
    stdlib's email.header.Header would make of it, at a fraction of the cost), others folded."""
    # A line break in a header value could add headers (injection): refuse it outright.
    if "\r" in value or "\n" in value:
        raise ValueError(f"line break in the {name} header")
    if not value.isascii():
        return _WIRE.fold_binary(name, Header(value, "utf-8"))
    if len(name) + 2 + len(value) > _WIRE.max_line_length:
        return _WIRE.fold_binary(name, value)
    return f"{name}: {value}\r\n".encode()


_PART = ('Content-Type: text/{}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
         "Content-Transfer-Encoding: quoted-printable\r\n\r\n")
_CALENDAR_PART = ("MIME-Version: 1.0\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                  'Content-Type: text/calendar; charset="utf-8"; method="{}"\r\n\r\n')
_LINE_ENDS = re.compile(r"\r\n|\r|\n")
_FROM_LINE = re.compile(r"^From ", re.MULTILINE)
#: MAIL FROM's address as smtplib quotes it, parsed once: it is the same for every mail.
_quoted_sender = functools.cache(smtplib.quoteaddr)
#: A line of the content that starts with "." gets one more (RFC 5321 4.5.2), as in smtplib.
_LEADING_DOT = re.compile(rb"(?m)^\.")
#: An address as the outbox keeps it (local@domain, nothing to quote): RCPT TO's `<address>`
#: without smtplib's parse (`quoteaddr`), which gives the same for it.
_PLAIN_ADDRESS = re.compile(r'[^\s<>()\[\]\\,;:"@]+@[^\s<>()\[\]\\,;:"@]+')


def _quoted_recipient(address: str) -> str:
    return f"<{address}>" if _PLAIN_ADDRESS.fullmatch(address) else smtplib.quoteaddr(address)


def data(message: bytes) -> bytes:
    """A message (`build_message`) as DATA carries it: a line that starts with "." gets one more,
    and ".\r\n" on a line of its own ends it (what smtplib's `data()` sends)."""
    quoted = _LEADING_DOT.sub(b"..", message)
    return quoted + (b"" if quoted.endswith(b"\r\n") else b"\r\n") + b".\r\n"


@functools.lru_cache(maxsize=2)
def _date(second: int) -> str:
    """The Date header's value, made once per second."""
    return formatdate(second, usegmt=True)


def _quoted_printable(text: str) -> str:
    """A part's body: UTF-8 in quoted-printable (readable in the raw message, safe for long
    lines), CRLF line ends. Line by line, as the email package encodes it: a line that many
    mails share (all of a template but the name) is encoded once (`_quoted_printable_line`)."""
    lines = _LINE_ENDS.split(text.encode("utf-8").decode("latin-1"))
    return "\r\n".join(map(_quoted_printable_line, lines))


@functools.lru_cache(maxsize=4096)
def _quoted_printable_line(line: str) -> str:
    """One line (UTF-8 bytes as latin-1), soft line breaks and all, with ">" before "From " at
    the start of a line (compat32's mbox habit, kept so that the mails stay what they were)."""
    return _FROM_LINE.sub(">From ", quoprimime.body_encode(line, eol="\r\n"))


def build_message(*, sender: str, to: str, subject: str, text: str, html: str = "",
                  message_id: str, calendar: str | None = None, calendar_method: str | None = None,
                  headers: dict[str, str] | None = None) -> bytes:
    """A multipart/alternative mail as it goes on the wire: text, HTML, and the calendar part
    when there is one. Header values with line breaks raise ValueError, so a title typed by a
    user cannot add headers.

    These are the bytes that the `email.mime` classes and BytesGenerator write for this
    message (tests/mail/test_wire.py holds the two side by side), written directly: the email
    package's object model took most of a mail's own time in the drain.
    """
    # "=_" cannot occur in quoted-printable parts, so the boundary needs no search through them.
    boundary = f"=_{uuid.uuid4().hex}"
    head = b"".join(_header(name, value) for name, value in (
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'), ("MIME-Version", "1.0"),
        ("From", sender), ("To", to), ("Subject", subject),
        ("Date", _date(int(utcnow().timestamp()))), ("Message-ID", message_id),
        ("Auto-Submitted", "auto-generated"), *(headers or {}).items()))
    parts = [_PART.format("plain") + _quoted_printable(text)]
    if html:
        parts.append(_PART.format("html") + _quoted_printable(html))
    if calendar:
        # iMIP (RFC 6047): METHOD in the MIME type matches METHOD inside the calendar.
        parts.append(_CALENDAR_PART.format(quote(calendar_method or "REQUEST"))
                     + _quoted_printable(calendar))
    between = f"\r\n--{boundary}\r\n"
    return head + f"\r\n--{boundary}\r\n{between.join(parts)}\r\n--{boundary}--\r\n".encode()


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
            smtp.putcmd("mail", f"FROM:{_quoted_sender(envelope_from)}")
            meanwhile()
            code, reply = smtp.getreply()
            if code != 250:
                raise self._refused(code, reply)
            smtp.putcmd("rcpt", f"TO:{_quoted_recipient(recipient)}")  # as smtplib's rcpt()
            code, reply = smtp.getreply()
            if code not in (250, 251):
                raise self._refused(code, reply)

    def content(self, message: bytes, meanwhile: Callable[[], object] = lambda: None) -> None:
        """Hand over the message begun with `envelope`, as `data()` made it of `build_message`'s
        bytes (so it can be made before its turn): once this returns, the server has taken it.
        Raises TemporaryFailure or PermanentFailure. `meanwhile()` runs while the server takes
        the content in (smtplib's `data()`, with that gap)."""
        with self._failures():
            smtp = self.client.smtp
            code, reply = smtp.docmd("data")
            if code != 354:
                raise self._refused(code, reply)
            smtp.send(message)
            try:
                meanwhile()
            finally:  # (the server's answer is read even if `meanwhile` failed)
                code, reply = smtp.getreply()
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
