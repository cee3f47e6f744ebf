"""The fan-out of one moment: a session reminder to 1,000 participants, queued in the outbox.

    .venv/bin/python bench/fanout.py                      # SQLite in a temp dir
    .venv/bin/python bench/fanout.py postgresql://...     # a PostgreSQL database it may empty

Mails queued per second by the moment's job (`process_moment`: recipients, rendering, one
outbox row each, in one transaction), against a plain `INSERT ... SELECT` of the same rows in
the same run (copies of the rows the fan-out wrote, with new keys): the floor that any fan-out
pays for writing its rows. (A fan-out's rows point at its text, stored once per language in
`mail_body`; the copies point at the same.)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench  # noqa: E402

PEOPLE = 1000
ROUNDS = 3


def main(url: str | None) -> None:
    from sqlalchemy import text
    from sqlmodel import SQLModel, select

    import trajectories.schema  # noqa: F401
    from tests import factories
    from trajectories.app import create_app
    from trajectories.mail.models import OutboxMessage
    from trajectories.people.models import Enrollment, EnrollmentStatus, Participant
    from trajectories.scheduler.jobs import process_moment
    from trajectories.scheduler.models import PlannedMoment

    tmp = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    url = url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"database_url": url, "var_dir": str(tmp), "secret_key": "bench"})
    db = app.extensions["trajectories.db"]
    SQLModel.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))
    SQLModel.metadata.create_all(db.engine)
    columns = [c.name for c in OutboxMessage.__table__.columns if c.name != "id"]
    copied = {"message_id": "message_id || '.copy{n}'", "dedupe_key": "dedupe_key || '.copy{n}'"}
    fan_out, insert_select = [], []
    with app.app_context(), db.session() as session:
        edition = factories.edition(session)
        people = [Participant(name=f"Deelnemer {n}", email=f"d{n}@gemeente.example",
                              language="en" if n % 5 == 0 else "nl") for n in range(PEOPLE)]
        session.add_all(people)
        session.flush()
        session.add_all([Enrollment(participant_id=p.id, edition_id=edition.id,
                                    status=EnrollmentStatus.ADMITTED) for p in people])
        session.commit()
        for n in range(ROUNDS):
            meeting = factories.meeting(session, edition, title=f"Sessie {n}")
            session.commit()
            job = f"reminder:session:{meeting.id}:P1D"
            due = session.exec(select(PlannedMoment.due_at)
                               .where(PlannedMoment.job_id == job)).one()
            session.commit()
            started = time.perf_counter()
            assert process_moment(app, job, now=due) == "sent"
            fan_out.append(time.perf_counter() - started)
            targets = ", ".join(f'"{c}"' for c in columns)
            sources = ", ".join(copied.get(c, f'"{c}"').format(n=n) for c in columns)
            with db.begin() as s:
                started = time.perf_counter()
                result = s.execute(text(
                    f"INSERT INTO mail_outbox ({targets}) SELECT {sources} FROM mail_outbox "
                    f"WHERE dedupe_key LIKE :job"), {"job": f"{job}@%"})
                s.flush()
            insert_select.append(time.perf_counter() - started)
            assert result.rowcount == PEOPLE, result.rowcount
    app.extensions["trajectories.db"].dispose()
    best_fan_out, best_insert = min(fan_out), min(insert_select)
    print(f"fan-out {[round(t, 3) for t in fan_out]} s, INSERT ... SELECT "
          f"{[round(t, 4) for t in insert_select]} s ({db.engine.dialect.name})", flush=True)
    bench(f"fanout_{db.engine.dialect.name}_mails_per_second", PEOPLE / best_fan_out,
          "mails/s", PEOPLE / best_insert)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
