"""The Menukaart's test data: examples made through the services, and links read from the
outbox."""

from __future__ import annotations

import re

from sqlmodel import select

from trajectories.mail.models import OutboxMessage

TOKEN_RE = re.compile(r"/menukaart/(bevestigen|toestemming)\?t=([\w\-]+)")


def example_data(**kw) -> dict:
    data = dict(municipality="GM0344", title="Fietsen naar school",
                summary="Scholieren fietsen samen naar school.",
                what_was_done="We organiseerden fietsbussen met ouders en scholen.",
                sdgs=["3", "11"], theme="Mobiliteit", contact_name="Anna de Vries",
                contact_email="anna@utrecht.example", contact_consent="", links="", year="2025")
    return {**data, **kw}


def proposal_data(**kw) -> dict:
    data = example_data(name="Piet Jansen", email="piet@zwolle.example", municipality="GM0193",
                        title="Zwolse repaircafés", summary="Repareren in plaats van weggooien.",
                        what_was_done="Elke maand een repaircafé in de wijkcentra.",
                        theme="Circulaire economie", sdgs=["12"], language="nl")
    del data["contact_name"], data["contact_email"]
    return {**data, **kw}


def last_token(session, kind: str) -> str:
    """The token of the last mail of this kind ("bevestigen" or "toestemming") in the outbox."""
    session.expire_all()
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).all()
    for row in rows:
        match = TOKEN_RE.search(row.text)
        if match and match.group(1) == kind:
            return match.group(2)
    raise AssertionError(f"no {kind} mail in the outbox")
