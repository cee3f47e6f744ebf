"""Several sender processes share one outbox: 2,000 mails, two real processes draining at the
same time, and the SMTP sink receives each Message-ID exactly once."""

import subprocess
import sys
from collections import Counter

import pytest
from sqlmodel import func, select

from trajectories.mail.models import MailStatus, OutboxMessage
from trajectories.mail.outbox import queue_mail

#: Real processes (see pyproject.toml's markers): `make test` runs these apart, after the rest.
pytestmark = pytest.mark.slow

MAILS = 2_000

SENDER = """
import sys
import trajectories.schema  # every table, for the foreign keys
from trajectories.core.config import load_settings
from trajectories.core.db import Database
from trajectories.mail.drain import drain

url, port, var_dir = sys.argv[1], sys.argv[2], sys.argv[3]
settings = load_settings({}, database_url=url, smtp_port=port, var_dir=var_dir, secret_key="s")
database = Database(url)
sent = 0
while True:
    result = drain(database, settings, batch=25)
    sent += result.sent
    if result.sent == 0 and result.retried == 0 and result.failed == 0:
        break
print(sent)
"""


def test_two_senders_deliver_each_mail_exactly_once(db, smtp_sink, tmp_path):
    with db.begin() as session:
        for number in range(MAILS):
            queue_mail(session, to=f"deelnemer{number}@gemeente.example", kind="one_off",
                       subject=f"Bericht {number}", text="Tekst", dedupe_key=f"bench:{number}")

    senders = [subprocess.Popen([sys.executable, "-c", SENDER, str(db.url), str(smtp_sink.port),
                                 str(tmp_path)], stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    counts = [int(sender.communicate(timeout=300)[0]) for sender in senders]

    assert sum(counts) == MAILS
    assert all(count > 0 for count in counts), f"one sender did all the work: {counts}"
    received = Counter(message["Message-ID"] for message in smtp_sink.wait_for(MAILS))
    assert len(received) == MAILS
    assert set(received.values()) == {1}
    with db.session() as session:
        statuses = dict(session.exec(select(OutboxMessage.status, func.count())
                                     .group_by(OutboxMessage.status)).all())
        message_ids = set(session.exec(select(OutboxMessage.message_id)).all())
    assert statuses == {MailStatus.SENT: MAILS}
    assert set(received) == message_ids
