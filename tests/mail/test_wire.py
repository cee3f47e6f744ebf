"""The bytes of a mail: what the drain sends is what the `email` package writes for it (the
drain's messages used to be built with `email.mime` and BytesGenerator; users get the same)."""

from __future__ import annotations

import re
import smtplib
from email import message_from_bytes
from email.charset import QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from io import BytesIO

import pytest

from trajectories.mail.transport import _quoted_recipient, build_message, data

_QP = Charset("utf-8")
_QP.body_encoding = QP


def _by_the_email_package(*, boundary, date, sender, to, subject, text, html="", message_id,
                          calendar=None, calendar_method=None, headers=None) -> bytes:
    message = MIMEMultipart("alternative", boundary=boundary)
    for name, value in (("From", sender), ("To", to), ("Subject", subject), ("Date", date),
                        ("Message-ID", message_id), ("Auto-Submitted", "auto-generated"),
                        *(headers or {}).items()):
        message[name] = value if value.isascii() else Header(value, "utf-8")
    message.attach(MIMEText(text, "plain", _QP))
    if html:
        message.attach(MIMEText(html, "html", _QP))
    if calendar:
        part = MIMEText(calendar, "calendar", _QP)
        part.set_param("method", calendar_method or "REQUEST")
        message.attach(part)
    out = BytesIO()
    BytesGenerator(out, policy=compat32.clone(linesep="\r\n", max_line_length=998)).flatten(message)
    return out.getvalue()


LINK = "https://trajectories.example/mail/unsubscribe/" + "a1b2c3" * 20
CALENDAR = ("BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nSUMMARY:Sessie “Één wereld”"
            " in het gemeentehuis van ’s-Hertogenbosch, zaal 2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
CASES = {
    "plain": dict(subject="Morgen: sessie 1", text="Beste deelnemer,\n\nTot morgen.\n",
                  html="<p>Beste deelnemer,</p>"),
    "dutch and long": dict(
        subject="Herinnering: sessie “Één gemeente, één wereld” – inclusie, café & überhaupt " * 3,
        text="Tot morgen in het café, ’s middags. 🌍\n" + "Een heel lange regel zonder einde " * 9
             + "\nFrom the town hall.\n.\n..punt\nspatie aan het eind \r\nx=y\ttab\t\n",
        html="<p>Één wereld &amp; café</p>\n<p>" + "lang " * 40 + "</p>\n",
        headers={"List-Unsubscribe": f"<{LINK}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}),
    "no html": dict(subject="Alleen tekst", text="Alleen tekst.\n"),
    "invitation": dict(subject="Uitnodiging", text="Zie de bijlage.\n", html="<p>Zie</p>",
                       calendar=CALENDAR, calendar_method="CANCEL"),
    "invitation, default method": dict(subject="Uitnodiging", text="Zie de bijlage.\n",
                                       calendar=CALENDAR.replace("CANCEL", "REQUEST")),
}


@pytest.mark.parametrize("case", CASES)
def test_a_mail_is_byte_for_byte_what_the_email_package_writes(case):
    given = dict(sender="Trajectories <noreply@trajectories.example>", to="zoë@gemeente.example",
                 message_id="<1a2b@trajectories>", **CASES[case])

    sent = build_message(**given)

    mail = message_from_bytes(sent)
    boundary, date = mail.get_boundary(), mail["Date"]
    assert re.fullmatch(r"=_[0-9a-f]{32}", boundary)
    assert sent == _by_the_email_package(boundary=boundary, date=date, **given)


def test_a_line_break_in_a_header_is_refused():
    with pytest.raises(ValueError, match="Subject"):
        build_message(sender="a@b.example", to="c@d.example", subject="Hoi\r\nBcc: e@f.example",
                      text="x", message_id="<1@t>")


@pytest.mark.parametrize("address", [
    "deelnemer@gemeente.example", "a.b+c@sub.gemeente.example", "Jan Jansen <jan@utrecht.example>",
    '"jan jansen"@utrecht.example', "jan@utrecht.example (werk)", "<jan@utrecht.example>", "jan"])
def test_rcpt_to_quotes_an_address_as_smtplib_does(address):
    """RCPT TO skips smtplib's address parse for a plain address, with the same result."""
    assert _quoted_recipient(address) == smtplib.quoteaddr(address)


@pytest.mark.parametrize("message", [b"Subject: x\r\n\r\nregel\r\n", b"Subject: x\r\n\r\n.punt\r\n.",
                                     b"Subject: x\r\n\r\nzonder einde"])
def test_data_is_what_smtplib_sends_for_a_message(message):
    """The content as DATA carries it (dot-stuffed, ended by a lone "."), made before its turn."""
    quoted = smtplib._quote_periods(message)
    assert data(message) == quoted + (b"" if quoted.endswith(b"\r\n") else b"\r\n") + b".\r\n"
    assert b"\r\n..punt" in data(b"Subject: x\r\n\r\n.punt\r\n")
