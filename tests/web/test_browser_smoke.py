"""The catalogue in real headless Chromium: it renders, and the browser reports no CSP
violations or script errors (an inline style or script would be blocked and logged)."""

import smtplib

import pytest

from trajectories.demo.loader import load_demo


@pytest.mark.browser
def test_catalogue_in_chromium_without_console_errors(app, live_server, page):
    list(load_demo(app.extensions["trajectories.db"]))
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.goto(live_server + "/")
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_text("YoungChallengers").first.is_visible()
    assert problems == []


def test_smtp_sink_receives_and_refuses(smtp_sink):
    smtp_sink.refuse["gone@example.org"] = "550 5.1.1 no such user"
    with smtplib.SMTP("127.0.0.1", smtp_sink.port) as smtp:
        refused = smtp.sendmail("a@example.org", ["b@example.org", "gone@example.org"],
                                b"Subject: hallo\r\nTo: b@example.org\r\n\r\ntekst\r\n")
    assert refused == {"gone@example.org": (550, b"5.1.1 no such user")}
    assert [m["Subject"] for m in smtp_sink.wait_for(1)] == ["hallo"]
