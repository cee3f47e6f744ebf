"""A small world for the award: two organisers with a coordinator each, two municipalities with
a civil servant each, and a 2030 round of VNG open from March to June."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tests import factories
from tests.coordinator_helpers import PASSWORD
from trajectories.accounts import services as accounts
from trajectories.award import services as award

#: A moment inside the 2030 round's nomination period, and one after its close.
OPEN = datetime(2030, 5, 1, 10, 0, tzinfo=UTC)
CLOSED = datetime(2030, 7, 1, 10, 0, tzinfo=UTC)
CRITERIA = [("Inspiratie", "3"), ("Aanpak", "2"), ("Bereik", "1")]


@dataclass
class AwardWorld:
    vng: object
    vvsg: object
    round: object
    utrecht: object
    zwolle: object
    anna: object
    bert: object


def new_round(session, organiser, year=2030, opens_on=date(2030, 3, 1),
              closes_on=date(2030, 6, 30), **kw):
    data = dict(year=year, title=f"Meest Inspirerende Global Goals Gemeente {year}",
                intro="Welke gemeente inspireert het meest?", opens_on=opens_on,
                closes_on=closes_on, criteria=CRITERIA)
    return award.create_round(session, organiser, **{**data, **kw})


def build(session) -> AwardWorld:
    vng = factories.organiser(session, slug="vng", name="VNG", country="NL",
                              email="g4gg@vng.example")
    vvsg = factories.organiser(session, slug="vvsg", name="VVSG", country="BE")
    accounts.create_coordinator(session, email="nl@example.org", name="Coördinator NL",
                                password=PASSWORD, organiser=vng)
    accounts.create_coordinator(session, email="be@example.org", name="Coördinator BE",
                                password=PASSWORD, organiser=vvsg)
    utrecht = factories.municipality(session, name="Utrecht", code="GM0344")
    zwolle = factories.municipality(session, name="Zwolle", code="GM0193")
    anna = factories.participant(session, name="Anna", email="anna@utrecht.example",
                                 organisation_id=utrecht.id)
    bert = factories.participant(session, name="Bert", email="bert@zwolle.example",
                                 organisation_id=zwolle.id)
    return AwardWorld(vng, vvsg, new_round(session, vng), utrecht, zwolle, anna, bert)


JURY_PASSWORD = "een-lang-jury-wachtwoord"


def active_juror(session, award_round, email="jury@example.org", name="Jurylid",
                 password=JURY_PASSWORD):
    """A juror on this round who chose a password already (no invitation mail)."""
    juror = award.add_juror(session, award_round, email=email, name=name, invite=False)
    accounts.set_password(session, juror, password)
    return juror
