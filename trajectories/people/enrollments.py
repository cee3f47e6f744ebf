"""Whole-edition actions on enrollments: act on many at once, fill free places from the waiting
list. One transaction each: the single-object services are called unwrapped (`__wrapped__`),
so a refusal halfway leaves nothing behind.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition
from trajectories.core import service as base
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service
from trajectories.people import places
from trajectories.people import services as people
from trajectories.people.models import Enrollment, EnrollmentStatus, Participant

BULK_ACTIONS = {"admit": people.admit, "waitlist": people.waitlist, "withdraw": people.withdraw}


@service
def bulk_enrollments(session: Session, edition: Edition, enrollment_ids: list[int],
                     action: str) -> int:
    """Admit, waitlist or withdraw many enrollments of one edition at once: all or none.
    Admitting more than the free places is refused as a whole."""
    base.choice(action, list(BULK_ACTIONS), "action", _l("actie"))
    ids = {int(i) for i in enrollment_ids}
    if not ids:
        raise InvalidInput(_l("Kies eerst een of meer inschrijvingen."), "selected")
    edition = base.lock(session, Edition, edition.id)
    rows = list(session.exec(select(Enrollment).where(
        Enrollment.id.in_(ids), Enrollment.edition_id == edition.id).order_by(Enrollment.id)))
    if len(rows) != len(ids):
        raise InvalidInput(_l("Kies alleen inschrijvingen van deze editie."), "selected")
    if action == "admit" and edition.capacity is not None:
        _check_room(session, edition, [r for r in rows if r.status != EnrollmentStatus.ADMITTED])
    act = BULK_ACTIONS[action].__wrapped__
    for row in rows:
        act(session, row)
    return len(rows)


def _check_room(session: Session, edition: Edition, rows: list[Enrollment]) -> None:
    """Refuse admitting these if they need more places than are free: each person, or with
    places per organisation each municipality not admitted yet."""
    free = places.free(session, edition)
    if places.per_organisation(edition):
        wanted = len({places.unit_of(p) for p in session.exec(select(Participant).where(
            Participant.id.in_([r.participant_id for r in rows])))
            if places.needs_place(session, edition, p)})
        if wanted > free:
            raise InvalidInput(_l("%(free)s; u koos %(wanted)s om toe te laten.",
                                  free=_nl("Er is nog %(num)s plaats voor gemeenten vrij",
                                           "Er zijn nog %(num)s plaatsen voor gemeenten vrij",
                                           free),
                                  wanted=_nl("inschrijvingen van %(num)s nieuwe gemeente",
                                             "inschrijvingen van %(num)s nieuwe gemeenten",
                                             wanted)),
                               "selected")
    elif len(rows) > free:
        raise InvalidInput(_l("%(free)s; u koos %(wanted)s om toe te laten.",
                              free=_nl("Er is nog %(num)s plaats vrij",
                                       "Er zijn nog %(num)s plaatsen vrij", free),
                              wanted=_nl("%(num)s inschrijving", "%(num)s inschrijvingen",
                                         len(rows))),
                           "selected")


@service
def promote_from_waitlist(session: Session, edition: Edition) -> int:
    """Admit from the waiting list, first come first served, while places are free; with
    places per organisation a municipality moves up with everyone of it who waits."""
    edition = base.lock(session, Edition, edition.id)
    group = places.next_up(session, edition)
    if not group:
        raise InvalidInput(_l("Er staat niemand op de wachtlijst."))
    if not places.has_place(session, edition):
        raise InvalidInput(places.full_message(edition))
    admitted = 0
    while group and places.has_place(session, edition):
        for row in group:
            people.admit.__wrapped__(session, row)
        admitted += len(group)
        group = places.next_up(session, edition)
    return admitted
