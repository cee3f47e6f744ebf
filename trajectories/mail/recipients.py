"""Who receives a mail: SELECTs of participant ids, worked out when the mail is queued (never
stored, so a change of enrollment counts at once), and the participants they name.

One home for every "who": an edition's enrolled in some statuses (a coordinator's message to a
group), everyone admitted (reminders, coaching mails, invitations), who still owes a deadline
(nudges, the coordinator's digest), who had a session's invitation (its update or cancellation).
A fan-out hands the SELECT to the database (`fan_out`); lists are for mails made one by one.
"""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from trajectories.mail.models import MailStatus, OutboxMessage
from trajectories.people.models import Enrollment, EnrollmentStatus, Participant, Submission
from trajectories.schedule.models import Deadline, DeadlineExtension, DeliveredBy, Meeting


def enrolled_ids(edition_id: int, statuses):
    """SELECT of the ids of the edition's participants whose enrollment has one of `statuses`."""
    return select(Enrollment.participant_id).where(
        Enrollment.edition_id == edition_id, Enrollment.status.in_(statuses))


def admitted_ids(edition_id: int):
    """SELECT of the ids of everyone admitted to an edition (not those who completed it)."""
    return enrolled_ids(edition_id, (EnrollmentStatus.ADMITTED,))


def owing_ids(deadline: Deadline, participant_id: int | None):
    """SELECT of the ids of who still owes this deadline: for the deadline's own moments
    everyone admitted without a submission and without an extension (they have moments of their
    own); for an extension's moments that one participant."""
    person = aliased(Participant)
    query = (select(person.id).where(person.id.in_(admitted_ids(deadline.edition_id)))
             .where(~exists().where(Submission.deadline_id == deadline.id,
                                    Submission.participant_id == person.id)))
    if deadline.delivered_by == DeliveredBy.ORGANISATION:
        # One submission by an admitted participant covers everyone of the same organisation.
        colleague = aliased(Participant)
        query = query.where(~exists().where(
            Submission.deadline_id == deadline.id, Submission.participant_id == colleague.id,
            colleague.organisation_id == person.organisation_id,
            colleague.id.in_(admitted_ids(deadline.edition_id))))
    if participant_id is not None:
        return query.where(person.id == participant_id)
    return query.where(~exists().where(DeadlineExtension.deadline_id == deadline.id,
                                       DeadlineExtension.participant_id == person.id))


def participants(session: Session, ids, order_by=Participant.id) -> list[Participant]:
    """The participants a SELECT of ids names, in `order_by` order."""
    return list(session.exec(select(Participant).where(Participant.id.in_(ids))
                             .order_by(order_by)))


def admitted(session: Session, edition_id: int) -> list[Participant]:
    return participants(session, admitted_ids(edition_id))


def not_delivered(session: Session, deadline: Deadline,
                  participant_id: int | None) -> list[Participant]:
    """The participants of `owing_ids`."""
    return participants(session, owing_ids(deadline, participant_id))


def invited(session: Session, meeting: Meeting) -> list[Participant]:
    """Admitted participants who received an invitation to this session (on its own or with
    their welcome): only they have it in their calendar, so only they get its update or
    cancellation. An invitation still waiting in the outbox counts (it goes out first); a failed
    or withdrawn one does not."""
    ids = set(session.exec(select(OutboxMessage.participant_id).where(
        OutboxMessage.dedupe_key.startswith(f"invite:session:{meeting.id}:seq"),
        OutboxMessage.status != MailStatus.FAILED)))
    return [p for p in admitted(session, meeting.edition_id) if p.id in ids]
