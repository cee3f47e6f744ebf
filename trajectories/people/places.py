"""What a place in an edition is and how many are left: the one home of the rule that
registration, the coordinator's actions, the waiting list and every page showing places use.

An edition counts its places in people (`PlaceUnit.PERSON`: each admitted participant takes one)
or in organisations (`PlaceUnit.ORGANISATION`): a municipality's first admitted participant takes
a place, colleagues join its team without taking another, a municipality waits as a whole and
moves up as a whole. A participant without an organisation is a team of one. Only ADMITTED
enrollments hold a place. `Edition.max_per_organisation` caps the people of one organisation in
an edition, whatever the unit.
"""

from __future__ import annotations

from flask_babel import lazy_ngettext as _nl
from sqlalchemy import func
from sqlmodel import Session, select

from trajectories.catalogue.models import Edition, PlaceUnit
from trajectories.core.errors import InvalidInput
from trajectories.people.models import (
    ENROLLED,
    Enrollment,
    EnrollmentStatus,
    Organisation,
    Participant,
)

#: The team a participant belongs to: their organisation, or (without one) themselves; negative
#: ids never clash with an organisation's. The same unit `schedule.queries.deadline_completion`
#: counts deliverables in.
UNIT = func.coalesce(Participant.organisation_id, -Participant.id)


def unit_of(participant: Participant) -> int:
    return participant.organisation_id if participant.organisation_id is not None \
        else -participant.id


def per_organisation(edition: Edition) -> bool:
    return edition.place_unit == PlaceUnit.ORGANISATION


def _admitted(edition_ids):
    return (select(Enrollment.edition_id, func.count(), func.count(func.distinct(UNIT)))
            .join(Participant, Participant.id == Enrollment.participant_id)
            .where(Enrollment.edition_id.in_(list(edition_ids)),
                   Enrollment.status == EnrollmentStatus.ADMITTED)
            .group_by(Enrollment.edition_id))


def admitted_counts(s: Session, edition_ids) -> dict[int, tuple[int, int]]:
    """{edition_id: (admitted teams, admitted people)} in one query; editions without anyone
    admitted are left out."""
    return {edition_id: (teams, people)
            for edition_id, people, teams in s.exec(_admitted(edition_ids))}


def teams_among(s: Session, participant_ids) -> int:
    """How many teams (municipalities; a participant without one is a team of one) the
    participants a SELECT of ids names make up, counted in SQL."""
    return s.exec(select(func.count(func.distinct(UNIT))).where(
        Participant.id.in_(participant_ids))).one()


def taken_by_edition(s: Session, editions: list[Edition]) -> dict[int, int]:
    """{edition_id: places taken, in the edition's own unit}, in one query."""
    counts = admitted_counts(s, [e.id for e in editions]) if editions else {}
    return {e.id: counts.get(e.id, (0, 0))[0 if per_organisation(e) else 1] for e in editions}


def places_left(edition: Edition, taken: int) -> int | None:
    """None: no limit. 0: full, a new registration (a new municipality) waits."""
    return None if edition.capacity is None else max(edition.capacity - taken, 0)


def free(s: Session, edition: Edition) -> int | None:
    """The free places of one edition, in its unit (None: no limit)."""
    if edition.capacity is None:
        return None
    return places_left(edition, taken_by_edition(s, [edition])[edition.id])


def has_place(s: Session, edition: Edition) -> bool:
    left = free(s, edition)
    return left is None or left > 0


def _team(s: Session, edition_id: int, unit: int, statuses, but: int | None = None) -> list:
    """(participant id, status) of the unit's enrollments in these statuses, oldest first."""
    query = (select(Enrollment.participant_id, Enrollment.status)
             .join(Participant, Participant.id == Enrollment.participant_id)
             .where(Enrollment.edition_id == edition_id,
                    Participant.organisation_id == unit if unit > 0 else Participant.id == -unit,
                    Enrollment.status.in_(list(statuses)))
             .order_by(Enrollment.created_at, Enrollment.id))
    if but is not None:
        query = query.where(Enrollment.participant_id != but)
    return list(s.exec(query))


def team_admitted(s: Session, edition: Edition, participant: Participant) -> bool:
    """Whether a colleague of the participant's organisation is admitted already."""
    return participant.organisation_id is not None and bool(_team(
        s, edition.id, participant.organisation_id, (EnrollmentStatus.ADMITTED,),
        but=participant.id))


def check_team_room(s: Session, edition: Edition, participant: Participant,
                    statuses=ENROLLED) -> None:
    """Refuse a participant whose organisation already has the edition's maximum of people
    (counting enrollments in `statuses`: enrolled at all when registering, admitted when a
    coordinator admits)."""
    limit = edition.max_per_organisation
    if limit is None or participant.organisation_id is None:
        return
    if len(_team(s, edition.id, participant.organisation_id, statuses,
                 but=participant.id)) >= limit:
        organisation = s.get(Organisation, participant.organisation_id)
        raise InvalidInput(_nl(
            "Uit %(organisation)s doet al %(num)s deelnemer mee; meer per gemeente kan niet in "
            "deze editie.",
            "Uit %(organisation)s doen al %(num)s deelnemers mee; meer per gemeente kan niet in "
            "deze editie.", limit, organisation=organisation.name), "organisation")


def placement(s: Session, edition: Edition, participant: Participant) -> EnrollmentStatus:
    """Where a new registration goes (without an approval step): with places per organisation
    a colleague of an admitted team is admitted without a new place and one of a waiting team
    waits with it; otherwise admitted while places last, else on the waiting list."""
    if per_organisation(edition) and participant.organisation_id is not None:
        statuses = {status for _id, status in _team(
            s, edition.id, participant.organisation_id,
            (EnrollmentStatus.ADMITTED, EnrollmentStatus.WAITLISTED), but=participant.id)}
        if EnrollmentStatus.ADMITTED in statuses:
            return EnrollmentStatus.ADMITTED
        if EnrollmentStatus.WAITLISTED in statuses:
            return EnrollmentStatus.WAITLISTED
    return EnrollmentStatus.ADMITTED if has_place(s, edition) else EnrollmentStatus.WAITLISTED


def needs_place(s: Session, edition: Edition, participant: Participant) -> bool:
    """Whether admitting this participant takes a new place."""
    return not (per_organisation(edition) and team_admitted(s, edition, participant))


def next_up(s: Session, edition: Edition) -> list[Enrollment]:
    """Who moves up when a place frees: the first on the waiting list, and with places per
    organisation everyone waiting of that first one's organisation."""
    waiting = list(s.exec(
        select(Enrollment, UNIT).join(Participant, Participant.id == Enrollment.participant_id)
        .where(Enrollment.edition_id == edition.id,
               Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(Enrollment.created_at, Enrollment.id)))
    if not waiting:
        return []
    if not per_organisation(edition):
        return [waiting[0][0]]
    first_unit = waiting[0][1]
    return [row for row, unit in waiting if unit == first_unit]


def waiting_colleagues(s: Session, edition: Edition, participant: Participant
                       ) -> list[Enrollment]:
    """With places per organisation, the participant's colleagues on the waiting list: they move
    up with them."""
    if not per_organisation(edition) or participant.organisation_id is None:
        return []
    return list(s.exec(
        select(Enrollment).join(Participant, Participant.id == Enrollment.participant_id)
        .where(Enrollment.edition_id == edition.id,
               Enrollment.status == EnrollmentStatus.WAITLISTED,
               Participant.organisation_id == participant.organisation_id,
               Participant.id != participant.id)
        .order_by(Enrollment.created_at, Enrollment.id)))


def waiting_position(s: Session, edition: Edition, enrollment: Enrollment) -> int:
    """The place on the waiting list (1 is next): of the person, or of their organisation."""
    rows = list(s.exec(
        select(Enrollment.id, UNIT).join(Participant, Participant.id == Enrollment.participant_id)
        .where(Enrollment.edition_id == edition.id,
               Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(Enrollment.created_at, Enrollment.id)))
    if not per_organisation(edition):
        return 1 + next((i for i, (row_id, _u) in enumerate(rows) if row_id == enrollment.id),
                        len(rows))
    units: list[int] = []
    for row_id, unit in rows:
        if unit not in units:
            units.append(unit)
        if row_id == enrollment.id:
            return 1 + units.index(unit)
    return len(units) + 1


def full_message(edition: Edition):
    if per_organisation(edition):
        return _nl("Deze editie is vol: er is %(num)s plaats voor gemeenten.",
                   "Deze editie is vol: er zijn %(num)s plaatsen voor gemeenten.",
                   edition.capacity)
    return _nl("Deze editie is vol: er is %(num)s plaats.",
               "Deze editie is vol: er zijn %(num)s plaatsen.", edition.capacity)


def candidate(s: Session, organisation_code: str, email: str) -> Participant | None:
    """Who a registration from this address and municipality (CBS/NIS code) will be: the known
    participant, or an unsaved one of that municipality; None when the municipality takes no
    part in anything yet (no team to join, no maximum to reach)."""
    existing = s.exec(select(Participant).where(Participant.email == email)).first()
    if existing is not None and existing.organisation_id is not None:
        return existing
    organisation = s.exec(select(Organisation).where(
        Organisation.code == organisation_code)).first() if organisation_code else None
    if organisation is None:
        return None
    return Participant(id=existing.id if existing else -1, name="", email=email,
                       organisation_id=organisation.id)


def preview(s: Session, edition: Edition, organisation_code: str, email: str) -> dict:
    """What registering from this municipality will do, for the page after the form:
    {"team": name of the admitted team they join, or None; "waits": whether they will wait}."""
    someone = candidate(s, organisation_code, email)
    if someone is None:
        return {"team": None, "waits": not has_place(s, edition)}
    status = placement(s, edition, someone)
    organisation = s.get(Organisation, someone.organisation_id)
    team = organisation.name if (per_organisation(edition) and status == EnrollmentStatus.ADMITTED
                                 and team_admitted(s, edition, someone)) else None
    return {"team": team, "waits": status == EnrollmentStatus.WAITLISTED}


def joined_team(s: Session, edition: Edition | None, participant: Participant) -> str | None:
    """The municipality whose admitted team the participant is in with colleagues, in an edition
    with places per organisation: what registration tells them; None otherwise."""
    if edition is None or not per_organisation(edition) or participant.organisation_id is None:
        return None
    admitted = _team(s, edition.id, participant.organisation_id, (EnrollmentStatus.ADMITTED,))
    if participant.id not in {pid for pid, _status in admitted} or len(admitted) < 2:
        return None
    return s.get(Organisation, participant.organisation_id).name
