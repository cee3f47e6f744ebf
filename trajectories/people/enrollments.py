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
from trajectories.people import services as people
from trajectories.people.models import Enrollment, EnrollmentStatus

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
        wanted = sum(1 for r in rows if r.status != EnrollmentStatus.ADMITTED)
        free = max(edition.capacity - people.admitted_count(session, edition.id), 0)
        if wanted > free:
            raise InvalidInput(_l("%(free)s; u koos %(wanted)s om toe te laten.",
                                  free=_nl("Er is nog %(num)s plaats vrij",
                                           "Er zijn nog %(num)s plaatsen vrij", free),
                                  wanted=_nl("%(num)s inschrijving", "%(num)s inschrijvingen",
                                             wanted)),
                               "selected")
    act = BULK_ACTIONS[action].__wrapped__
    for row in rows:
        act(session, row)
    return len(rows)


@service
def promote_from_waitlist(session: Session, edition: Edition) -> int:
    """Admit from the waiting list, first come first served, while places are free."""
    edition = base.lock(session, Edition, edition.id)
    waiting = list(session.exec(select(Enrollment).where(
        Enrollment.edition_id == edition.id, Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(Enrollment.created_at, Enrollment.id)))
    free = len(waiting) if edition.capacity is None else max(
        edition.capacity - people.admitted_count(session, edition.id), 0)
    if not waiting:
        raise InvalidInput(_l("Er staat niemand op de wachtlijst."))
    if free == 0:
        raise InvalidInput(_nl("Deze editie is vol: er is %(num)s plaats.",
                               "Deze editie is vol: er zijn %(num)s plaatsen.", edition.capacity))
    for row in waiting[:free]:
        people.admit.__wrapped__(session, row)
    return min(free, len(waiting))
