"""Applying an edition's completion rules (the scheduler's "completion" moment): 100 and 1,000
participants, ten sessions, a deadline; a third attend too little, half hand in.

    .venv/bin/python bench/completion.py          # SQLite in a temp dir

Counts the SQL statements and the milliseconds of `apply_rules` (decisions, statuses,
certificates, their mails queued). The 100-participant edition is the baseline: statements grow
with the people who complete (one rendered, personal certificate mail each), not with reads.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench  # noqa: E402


def measure(participants: int) -> dict[str, float]:
    from sqlalchemy import event
    from sqlmodel import SQLModel

    import trajectories.schema  # noqa: F401
    from tests import factories
    from trajectories.app import create_app
    from trajectories.completion.services import apply_rules
    from trajectories.people import services as people
    from trajectories.people.models import Attendance, Submission
    from trajectories.schedule import services as schedule

    tmp = Path(tempfile.mkdtemp(prefix="bench-completion-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"database_url": url, "var_dir": str(tmp), "secret_key": "bench",
                      "calendars_dir": str(tmp / "calendars")})
    db = app.extensions["trajectories.db"]
    SQLModel.metadata.create_all(db.engine)
    with app.app_context(), db.session() as session:
        edition = factories.edition(session)
        meetings = [factories.meeting(session, edition,
                                      on_date=date(2030, 3, 4) + timedelta(days=7 * i))
                    for i in range(10)]
        deadline = schedule.set_deadline(session, edition, title="Analyse",
                                         due_date=date(2030, 4, 1))
        persons = [factories.participant(session, email=f"p{i}@gemeente.example",
                                         name=f"Deelnemer {i}") for i in range(participants)]
        for person in persons:
            people.enroll.__wrapped__(session, edition, person)
        for meeting in meetings:
            session.add_all(Attendance(meeting_id=meeting.id, participant_id=p.id,
                                       present=i % 3 != 0) for i, p in enumerate(persons))
        session.add_all(Submission(deadline_id=deadline.id, participant_id=p.id, text="x")
                        for i, p in enumerate(persons) if i % 2 == 0)
        session.commit()
        edition_id = edition.id

    counter = {"statements": 0}

    @event.listens_for(db.engine, "before_cursor_execute")
    def _statement(*_args):
        counter["statements"] += 1

    with app.test_request_context(), db.begin(actor="bench") as session:
        started = time.perf_counter()
        queued = apply_rules(session, edition_id, app.config["SETTINGS"])
        session.flush()
        elapsed = (time.perf_counter() - started) * 1000
    return {"ms": elapsed, "statements": counter["statements"], "queued": queued}


if __name__ == "__main__":
    small, large = measure(100), measure(1000)
    print(f"100 participants: {small}\n1000 participants: {large}")
    bench("completion_apply_1000_ms", large["ms"], "ms", small["ms"])
    bench("completion_apply_1000_statements", large["statements"], "statements",
          small["statements"])
