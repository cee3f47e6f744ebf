"""Outbox drain throughput against raw smtplib, both to the same aiosmtpd sink, in one run.

    .venv/bin/python bench/mail.py          # BENCH_MAILS=5000, SQLite in a temp dir
    TRAJECTORIES_BENCH_DATABASE_URL=postgresql://... BENCH_DB=pg .venv/bin/python bench/mail.py

The sink runs in its own process (aiosmtpd's Sink handler). Baseline: the same messages, already
built, sent with smtplib over one connection. Value: `drain()` from the outbox (claim, build,
send over one yagmail-managed connection, commit each outcome). The two take turns, a batch of
500 each, so both see the same load on a shared machine. Also yagmail's plain `send()`
on a smaller sample, for reference.
"""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_DATABASE_URL, bench, free_port  # noqa: E402

MAILS = int(os.environ.get("BENCH_MAILS", "5000"))
YAGMAIL_SAMPLE = int(os.environ.get("BENCH_YAGMAIL_MAILS", "300"))
#: Mails per round: one drain batch, and as many raw sends beside it.
ROUND = 500


def start_sink(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                                "-c", "aiosmtpd.handlers.Sink"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=2).quit()
            return process
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main() -> None:
    from sqlmodel import SQLModel

    import trajectories.schema  # noqa: F401
    from trajectories.core.config import load_settings
    from trajectories.core.db import Database
    from trajectories.mail.drain import drain
    from trajectories.mail.outbox import queue_mail
    from trajectories.mail.transport import build_message

    tmp = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    if os.environ.get("BENCH_DB") == "pg":
        from bench.common import fresh_database

        url = fresh_database(BENCH_DATABASE_URL)
        SQLModel.metadata.create_all(Database(url).engine)
    else:
        url = f"sqlite:///{tmp / 'bench.db'}"
        SQLModel.metadata.create_all(Database(url).engine)
    port = free_port()
    sink = start_sink(port)
    try:
        settings = load_settings({}, database_url=url, smtp_port=str(port), var_dir=str(tmp),
                                 secret_key="bench")
        db = Database(url)
        text = "Beste deelnemer,\n\nDe sessie begint morgen om 13:30.\n" * 5
        html = f"<p>{text}</p>"
        with db.begin() as session:
            for n in range(MAILS):
                queue_mail(session, to=f"deelnemer{n}@gemeente.example", kind="reminder",
                           subject=f"Morgen: sessie {n}", text=text, html=html,
                           dedupe_key=f"bench:{n}", participant_id=None)

        # Baseline: raw smtplib, one connection, messages built beforehand. The two take turns
        # in rounds of ROUND mails (raw first in one round, the drain first in the next), so a
        # change in the machine's load weighs on both alike.
        messages = [build_message(sender=settings.mail_from, to=f"deelnemer{n}@gemeente.example",
                                  subject=f"Morgen: sessie {n}", text=text, html=html,
                                  message_id=f"<raw{n}@bench>") for n in range(MAILS)]

        def raw_round(first: int) -> float:
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for n in range(first, min(first + ROUND, MAILS)):
                    smtp.sendmail(settings.mail_from, [f"deelnemer{n}@gemeente.example"],
                                  messages[n])
            return time.perf_counter() - started

        def drain_round() -> tuple[int, float]:
            started = time.perf_counter()
            sent = drain(db, settings, batch=ROUND).sent
            return sent, time.perf_counter() - started

        raw_seconds = drain_seconds = 0.0
        sent = 0
        for number, first in enumerate(range(0, MAILS, ROUND)):
            if number % 2:
                drained, seconds = drain_round()
                raw_seconds += raw_round(first)
            else:
                raw_seconds += raw_round(first)
                drained, seconds = drain_round()
            sent, drain_seconds = sent + drained, drain_seconds + seconds
        assert sent == MAILS, sent
        assert drain(db, settings).sent == 0
        raw_rate, drain_rate = MAILS / raw_seconds, sent / drain_seconds

        import yagmail

        started = time.perf_counter()
        client = yagmail.SMTP(user=settings.mail_from, host="127.0.0.1", port=port,
                              smtp_ssl=False, smtp_starttls=False, smtp_skip_login=True)
        for n in range(YAGMAIL_SAMPLE):
            client.send(to=f"deelnemer{n}@gemeente.example", subject=f"Morgen: sessie {n}",
                        contents=[text], message_id=f"<yag{n}@bench>")
        yag_rate = YAGMAIL_SAMPLE / (time.perf_counter() - started)
        db.dispose()
    finally:
        sink.terminate()
        sink.wait()

    dialect = "postgresql" if url.startswith("postgres") else "sqlite"
    bench(f"mail_outbox_drain_{dialect}", drain_rate, "mails/s", raw_rate)
    bench("mail_yagmail_plain_send", yag_rate, "mails/s", raw_rate)


if __name__ == "__main__":
    main()
