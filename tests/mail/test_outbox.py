"""The outbox: queued once, in the caller's transaction, delivered once to a real SMTP server."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests import factories
from trajectories.core.clock import utcnow
from trajectories.mail import drain as drain_module
from trajectories.mail.drain import drain
from trajectories.mail.models import EditionMailSettings, MailStatus, OutboxMessage
from trajectories.mail.outbox import queue_mail, release_held
from trajectories.mail.preferences import mail_preferences, set_mail_preference, unsubscribe_url
from trajectories.mail.render import render_mail


def _queue(session, to="anna@gemeente.example", key="k1", **kw):
    data = dict(to=to, kind="reminder", subject="Morgen: Sessie", text="Tekst", html="<p>Tekst</p>",
                dedupe_key=key)
    return queue_mail(session, **{**data, **kw})


def _rows(db):
    with db.session() as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_queue_twice_sends_once_with_own_message_id(db, mail_settings, smtp_sink):
    with db.begin() as s:
        first = _queue(s)
        assert _queue(s) is None
    with db.begin() as s:
        assert _queue(s) is None
    result = drain(db, mail_settings)
    assert result.sent == 1
    assert drain(db, mail_settings).sent == 0
    smtp_sink.wait_for(1)
    assert len(smtp_sink.messages) == 1
    mail = smtp_sink.messages[0]
    assert mail["Message-ID"] == first.message_id
    assert mail.get_body(("plain",)).get_content().strip() == "Tekst"
    assert "Tekst" in mail.get_body(("html",)).get_content()
    assert [r.status for r in _rows(db)] == ["sent"]


def test_rollback_queues_nothing(db, mail_settings):
    with pytest.raises(RuntimeError), db.begin() as s:
        _queue(s)
        raise RuntimeError("the change failed")
    assert _rows(db) == []
    assert drain(db, mail_settings).sent == 0


def test_temporary_refusal_backs_off_then_delivers(db, mail_settings, smtp_sink):
    smtp_sink.refuse["anna@gemeente.example"] = "450 mailbox busy"
    with db.begin() as s:
        _queue(s)
    now = utcnow()
    result = drain(db, mail_settings, now=now)
    assert (result.sent, result.retried) == (0, 1)
    [row] = _rows(db)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.next_attempt_at >= now + timedelta(seconds=59)
    assert "450" in row.last_error
    smtp_sink.refuse.clear()
    assert drain(db, mail_settings, now=now + timedelta(seconds=30)).sent == 0  # not due yet
    assert drain(db, mail_settings, now=now + timedelta(minutes=2)).sent == 1
    # second backoff doubles
    assert drain_module.backoff(2) == 2 * drain_module.backoff(1)
    assert len(smtp_sink.wait_for(1)) == 1


def test_permanent_refusal_fails_that_row_only(db, mail_settings, smtp_sink):
    smtp_sink.refuse["weg@gemeente.example"] = "550 no such user"
    with db.begin() as s:
        _queue(s, to="weg@gemeente.example", key="a")
        _queue(s, to="bert@gemeente.example", key="b")
    result = drain(db, mail_settings)
    assert (result.sent, result.failed, result.retried) == (1, 1, 0)
    gone, bert = _rows(db)
    assert (gone.status, gone.attempts) == ("failed", 1) and "550" in gone.last_error
    assert bert.status == "sent"
    later = drain(db, mail_settings, now=utcnow() + timedelta(days=1))
    assert later.sent == later.failed == 0  # no retry of a 5xx
    smtp_sink.wait_for(1)
    assert [str(m["To"]) for m in smtp_sink.messages] == ["bert@gemeente.example"]


def test_a_message_refused_after_its_content_is_retried_or_failed_and_the_batch_goes_on(
        db, mail_settings, smtp_sink):
    smtp_sink.refuse_content["vol@gemeente.example"] = "452 mailbox full"
    smtp_sink.refuse_content["spam@gemeente.example"] = "554 message refused"
    with db.begin() as s:
        for n, to in enumerate(["vol@gemeente.example", "anna@gemeente.example",
                                "spam@gemeente.example", "bert@gemeente.example"]):
            _queue(s, to=to, key=str(n))

    result = drain(db, mail_settings)

    assert (result.sent, result.retried, result.failed) == (2, 1, 1)
    assert [(r.to, r.status) for r in _rows(db)] == [
        ("vol@gemeente.example", "queued"), ("anna@gemeente.example", "sent"),
        ("spam@gemeente.example", "failed"), ("bert@gemeente.example", "sent")]
    assert "452" in _rows(db)[0].last_error and "554" in _rows(db)[2].last_error
    assert sorted(str(m["To"]) for m in smtp_sink.wait_for(2)) == [
        "anna@gemeente.example", "bert@gemeente.example"]


def test_a_row_with_a_line_break_in_a_header_fails_alone(db, mail_settings, smtp_sink):
    """queue_mail refuses line breaks; a row that got one anyway (edited in the database) is
    failed by the drain instead of adding a header, and the batch goes on."""
    with db.begin() as s:
        _queue(s, to="anna@gemeente.example", key="a")
        bad = _queue(s, to="bert@gemeente.example", key="b")
        _queue(s, to="cor@gemeente.example", key="c")
    with db.begin() as s:
        row = s.get(OutboxMessage, bad.id)
        row.subject = "Morgen\r\nBcc: evil@example.org"
        s.add(row)

    result = drain(db, mail_settings)

    assert (result.sent, result.failed) == (2, 1)
    assert [(r.to, r.status) for r in _rows(db)] == [
        ("anna@gemeente.example", "sent"), ("bert@gemeente.example", "failed"),
        ("cor@gemeente.example", "sent")]
    assert "invalid message" in _rows(db)[1].last_error
    mails = smtp_sink.wait_for(2)
    assert sorted(str(m["To"]) for m in mails) == ["anna@gemeente.example", "cor@gemeente.example"]
    assert all(m["Bcc"] is None for m in mails)


def test_dutch_and_long_headers_arrive_intact(db, mail_settings, smtp_sink):
    subject = "Herinnering: sessie “Één gemeente, één wereld” – inclusie, café & überhaupt " * 2
    with db.begin() as s:
        _queue(s, subject=subject.strip(), text="Tot morgen in het café, ’s middags. 🌍")

    assert drain(db, mail_settings).sent == 1

    mail = smtp_sink.wait_for(1)[0]
    assert mail["Subject"] == subject.strip()
    assert mail.get_body(("plain",)).get_content().strip() == "Tot morgen in het café, ’s middags. 🌍"
    assert mail.get_content_type() == "multipart/alternative"


def test_server_down_then_back_delivers_all_once(db, app, smtp_sink):
    from tests.conftest import free_port

    down = dataclasses.replace(app.config["SETTINGS"], smtp_port=free_port())
    with db.begin() as s:
        for n in range(3):
            _queue(s, to=f"p{n}@gemeente.example", key=f"k{n}")
    now = utcnow()
    result = drain(db, down, now=now)
    assert (result.sent, result.retried) == (0, 3)
    assert {(r.status, r.attempts) for r in _rows(db)} == {("queued", 1)}
    up = dataclasses.replace(down, smtp_port=smtp_sink.port)
    assert drain(db, up, now=now + timedelta(minutes=2)).sent == 3
    assert drain(db, up, now=now + timedelta(hours=1)).sent == 0
    smtp_sink.wait_for(3)
    assert sorted(str(m["To"]) for m in smtp_sink.messages) == [
        "p0@gemeente.example", "p1@gemeente.example", "p2@gemeente.example"]


def test_last_attempt_fails_the_row(db, mail_settings, smtp_sink):
    smtp_sink.refuse["anna@gemeente.example"] = "421 try later"
    with db.begin() as s:
        row = _queue(s)
        row_id = row.id
    with db.begin() as s:
        s.get(OutboxMessage, row_id).attempts = drain_module.MAX_ATTEMPTS - 1
    drain(db, mail_settings)
    [row] = _rows(db)
    assert row.status == "failed" and "421" in row.last_error


def _claim_as(db, claims):
    """Mark rows `sending` as claimed by {key: (holder, claimed_at)}; returns {key: id}."""
    ids = {}
    with db.begin() as s:
        for number, (key, (holder, claimed)) in enumerate(claims.items()):
            row = s.get(OutboxMessage, _queue(s, key=key, to=f"p{number}@gemeente.example").id)
            row.status, row.claimed_at, row.claimed_by = MailStatus.SENDING, claimed, holder
            ids[key] = row.id
    return ids


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_claims_of_a_dead_sender_go_again_at_once_or_after_the_lease(db, mail_settings,
                                                                     smtp_sink, caplog):
    """A claim goes back to the queue as soon as its holder is known dead (a process on this
    host that is gone; our own pid under another start token: we are its restart), else once
    it was not renewed for LEASE (another host); a live holder's claims stay its own."""
    import logging
    import os
    import socket

    from trajectories.core.heartbeat import holder_id
    from trajectories.mail.claims import LEASE

    host, now = socket.gethostname(), utcnow()
    ids = _claim_as(db, {
        "dead-pid": (f"{host}:{_dead_pid()}:abcd1234", now),
        "restarted": (f"{host}:{os.getpid()}:oldstart", now),
        "other-host-stale": ("elders:42:abcd1234", now - LEASE - timedelta(seconds=1)),
        "other-host-fresh": ("elders:43:abcd1234", now - timedelta(seconds=5)),
        "alive-here": (f"{host}:{os.getppid()}:abcd1234", now),
        "ours": (holder_id(), now),
    })
    caplog.set_level(logging.WARNING, logger="trajectories.mail.claims")
    result = drain(db, mail_settings, now=now)
    assert (result.released, result.sent) == (3, 3)
    status = {row.id: row.status for row in _rows(db)}
    assert [key for key, row_id in ids.items() if status[row_id] == "sent"] == [
        "dead-pid", "restarted", "other-host-stale"]
    assert all(status[ids[key]] == "sending" for key in ("other-host-fresh", "alive-here", "ours"))
    released = [r.getMessage() for r in caplog.records if "released" in r.getMessage()]
    assert len(released) == 3 and all("released 1 claimed mails of " in m for m in released)
    assert any("elders:42:abcd1234" in m and "not renewed" in m for m in released)
    smtp_sink.wait_for(3)


def test_a_dead_senders_mails_that_the_server_took_are_sent_and_not_sent_again(
        db, mail_settings, smtp_sink):
    """A sender records each mail the server took (its `sent_at`) before the next goes, and the
    rest of the row at the end of its batch; killed in between, its taken mails count as sent."""
    import socket

    host, now = socket.gethostname(), utcnow()
    ids = _claim_as(db, {"taken": (f"{host}:{_dead_pid()}:abcd1234", now),
                         "in flight": (f"{host}:{_dead_pid()}:abcd1234", now)})
    with db.begin() as s:
        s.get(OutboxMessage, ids["taken"]).sent_at = now

    result = drain(db, mail_settings, now=now)

    assert (result.released, result.sent) == (2, 1)
    assert [(row.id, row.status) for row in _rows(db)] == [(ids["taken"], "sent"),
                                                           (ids["in flight"], "sent")]
    assert [m["To"] for m in smtp_sink.wait_for(1)] == ["p1@gemeente.example"]


def test_a_slow_batch_renews_its_claims(db, mail_settings, smtp_sink, monkeypatch):
    """A slow SMTP server does not make a live sender look dead: while it sends, its claims
    are renewed, and a release by the lease leaves them alone."""
    import threading
    import time

    from trajectories.mail import claims as module

    monkeypatch.setattr(module, "RENEW", timedelta(seconds=0.2))
    with db.begin() as s:
        for number in range(4):
            _queue(s, key=f"slow{number}", to=f"p{number}@gemeente.example")
    smtp_sink.delay = 1.0  # the batch takes ~4 s
    sender = threading.Thread(target=drain, args=(db, mail_settings))
    sender.start()
    # Unrenewed, the claims would be 2.5 s old, past the 1.5 s lease; renewed every 0.2 s they
    # are young (the margin allows a renewal late by over a second on a busy machine).
    time.sleep(2.5)
    assert module.release_dead(db, utcnow(), lease=timedelta(seconds=1.5)) == 0
    sender.join()
    assert [r.status for r in _rows(db)] == ["sent"] * 4
    assert len(smtp_sink.messages) == 4


def test_held_edition_sends_after_release(db, mail_settings, smtp_sink):
    with db.begin() as s:
        edition = factories.edition(s)
        s.add(EditionMailSettings(edition_id=edition.id, hold=True))
    with db.begin() as s:
        _queue(s, edition_id=edition.id)
    assert drain(db, mail_settings).sent == 0
    assert _rows(db)[0].status == "held"
    with db.session() as s:
        assert release_held(s, edition.id) == 1
    assert drain(db, mail_settings).sent == 1


def test_unsubscribe_one_click_stops_that_kind(db, app, client, mail_settings, smtp_sink):
    with db.begin() as s:
        person = factories.participant(s, email="anna@gemeente.example")
        _queue(s, participant_id=person.id, key="r1")
    drain(db, mail_settings)
    mail = smtp_sink.wait_for(1)[0]
    link = unsubscribe_url(mail_settings, person.id, "reminder")
    assert mail["List-Unsubscribe"] == f"<{link}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix(mail_settings.base_url)
    assert "Afmelden" in client.get(path).get_data(as_text=True)
    with db.session() as s:
        assert mail_preferences(s, person)["reminder"] is True  # a GET changes nothing
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    with db.begin() as s:
        assert mail_preferences(s, person) == {"welcome": True, "invitation": True,
                                                "reminder": False, "nudge": True,
                                                "coaching": True, "announcement": True,
                                                "evaluation": True, "certificate": True,
                                                "loan": True}
        assert _queue(s, participant_id=person.id, key="r2") is None
        assert _queue(s, participant_id=person.id, key="n1", kind="nudge") is not None
    assert client.post(path[:-3] + "xyz").status_code == 404


def test_switching_off_withdraws_queued_mails(db, mail_settings):
    with db.begin() as s:
        person = factories.participant(s)
        _queue(s, participant_id=person.id, kind="coaching")
    with db.session() as s:
        set_mail_preference(s, person, "coaching", False)
    assert drain(db, mail_settings).sent == 0
    assert _rows(db)[0].last_error == "unsubscribed"


def test_bad_preference_kind_is_refused(db):
    from trajectories.core.errors import InvalidInput

    with db.session() as s:
        person = factories.participant(s)
        with pytest.raises(InvalidInput, match="Onbekend"):
            set_mail_preference(s, person, "spam", False)


def test_render_mail_dutch_dates_and_hostile_title(app, db, mail_settings, smtp_sink):
    with db.begin() as s:
        edition = factories.edition(s)
        meeting = factories.meeting(s, edition, title="Evil\u2028Bcc: evil@example.org <b>x</b>")
        person = factories.participant(s, email="anna@gemeente.example")
        from trajectories.catalogue.models import Track
        track = s.get(Track, edition.track_id)
    with app.app_context():
        subject, text, html = render_mail("reminder", "nl", participant=person, meeting=meeting,
                                          edition=edition, track=track, days=1, materials=[])
    assert "\u2028" not in subject and subject.startswith("Morgen: Evil Bcc")
    assert "zaterdag 13 april 2030, 13:30–15:30" in text
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    with db.begin() as s:
        queue_mail(s, to=person.email, kind="reminder", subject=subject, text=text, html=html,
                   dedupe_key="hostile", participant_id=person.id)
    assert drain(db, mail_settings).sent == 1
    mail = smtp_sink.wait_for(1)[0]
    assert mail["Bcc"] is None and len(smtp_sink.messages) == 1
    with pytest.raises(ValueError), db.begin() as s:
        queue_mail(s, to=person.email, kind="reminder", subject="a\nBcc: x@y.z", text="",
                   dedupe_key="inject")


def test_development_mailbox_keeps_every_mail(db, app, tmp_path):
    from tests.conftest import smtp_controller
    from trajectories.mail.mailbox import MailboxHandler

    controller = smtp_controller(MailboxHandler(tmp_path / "mailbox"))
    controller.start()
    try:
        settings = dataclasses.replace(app.config["SETTINGS"], smtp_port=controller.port)
        with db.begin() as s:
            _queue(s, subject="Voor de mailbox")
        assert drain(db, settings).sent == 1
    finally:
        controller.stop()
    [path] = (tmp_path / "mailbox").glob("*.eml")
    assert b"Subject: Voor de mailbox" in path.read_bytes()


def test_outbox_command_lists_and_retries(db, runner, mail_settings):
    with db.begin() as s:
        row = _queue(s)
        s.get(OutboxMessage, row.id).status = MailStatus.FAILED
    listing = runner.invoke(args=["outbox"])
    assert "failed" in listing.output and "anna@gemeente.example" in listing.output
    retried = runner.invoke(args=["outbox", "--retry", str(row.id)])
    assert retried.exit_code == 0, retried.output
    assert _rows(db)[0].status == "queued"
    assert runner.invoke(args=["outbox", "--retry", "999"]).exit_code != 0


def test_fan_out_renders_once_and_each_mail_is_that_participants_own(app, db, session):
    """A fan-out renders its template once per language; each mail still reads as if rendered
    for its participant alone: own name (escaped in the HTML), own unsubscribe link."""
    from trajectories.mail.fanout import render_personal

    edition = factories.edition(session)
    people = [factories.participant(session, name=name, email=f"p{n}@gemeente.example",
                                    language=language)
              for n, (name, language) in enumerate([("Anna <b>& 'Co'", "nl"), ("Bert", "en"),
                                                    ("Cees \"C\"", "nl")])]
    meeting = factories.meeting(session, edition, title="Aftrap")
    session.commit()
    settings = app.config["SETTINGS"]
    with app.app_context(), db.begin() as s:
        mails = []
        for person in people:
            link = unsubscribe_url(settings, person.id, "reminder")
            context = dict(edition=edition, meeting=meeting, days=1, materials=[], track=None)
            mails.append(render_personal(s, "reminder", person, link, **context))
            assert mails[-1] == render_mail("reminder", person.language, participant=person,
                                            unsubscribe_url=link, **context)
        renders = [k for k in s.info["outbox.cache"] if k and k[0] == "render"]
        assert len(renders) == 2  # nl and en
    subject, text, html = mails[0]
    assert "Anna <b>& 'Co'" in text and "Anna &lt;b&gt;&amp; &#39;Co&#39;" in html
    assert unsubscribe_url(settings, people[0].id, "reminder") in text
    assert not re.search(r"~[0-9a-f]{32}~", text + html)  # no marker left


def test_mails_queued_together_are_each_queued_once_and_counted(db):
    """A fan-out's rows go in together; a dedupe key already queued (before, or twice within the
    fan-out) queues nothing and is not counted."""
    from trajectories.mail.outbox import queued_together

    with db.begin() as s:
        _queue(s, key="before")
    with db.begin() as s, queued_together(s) as together:
        for key in ("before", "new", "new", "other"):
            assert _queue(s, key=key, to=f"{key}@gemeente.example", row=False) is True
        assert len(_rows(db)) == 1  # nothing written yet
    assert together.count == 2
    assert sorted(r.dedupe_key for r in _rows(db)) == ["before", "new", "other"]
