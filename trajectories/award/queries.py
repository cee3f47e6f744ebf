"""Reads of the award: rounds, nominations with their municipality and hand-in, the jury's
scores per criterion and the weighted totals, and what the public may see."""

from __future__ import annotations

from sqlmodel import Session, select

from trajectories.accounts import invitations
from trajectories.accounts.models import Coordinator
from trajectories.award.models import (
    AwardCriterion,
    AwardJuror,
    AwardNomination,
    AwardRound,
    AwardScore,
    Publication,
)
from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.people.models import Organisation, Submission


def rounds(s: Session, organiser_ids: list[int] | None) -> list[AwardRound]:
    query = select(AwardRound).order_by(AwardRound.year.desc(), AwardRound.id)
    if organiser_ids is not None:
        query = query.where(AwardRound.organiser_id.in_(organiser_ids))
    return list(s.exec(query))


def round_for(s: Session, round_id: int, organiser_ids: list[int] | None) -> AwardRound | None:
    award = s.get(AwardRound, round_id)
    if award is None or (organiser_ids is not None and award.organiser_id not in organiser_ids):
        return None
    return award


def round_of_edition(s: Session, edition_id: int) -> AwardRound | None:
    return s.exec(select(AwardRound).where(AwardRound.edition_id == edition_id)).first()


def juror_rounds(s: Session, coordinator_id: int) -> list[AwardRound]:
    return list(s.exec(select(AwardRound).join(AwardJuror, AwardJuror.round_id == AwardRound.id)
                       .where(AwardJuror.coordinator_id == coordinator_id)
                       .order_by(AwardRound.year.desc())))


def is_juror(s: Session, round_id: int, coordinator_id: int) -> bool:
    return s.get(AwardJuror, (round_id, coordinator_id)) is not None


def jurors(s: Session, round_id: int) -> list[dict]:
    """The round's jury by name: {"juror": account, "active": chose a password (else only
    invited)}."""
    rows = s.exec(select(Coordinator).join(AwardJuror, AwardJuror.coordinator_id == Coordinator.id)
                  .where(AwardJuror.round_id == round_id).order_by(Coordinator.name))
    return [{"juror": row, "active": invitations.has_password(row)} for row in rows]


def criteria(s: Session, round_id: int) -> list[AwardCriterion]:
    return list(s.exec(select(AwardCriterion).where(AwardCriterion.round_id == round_id)
                       .order_by(AwardCriterion.position, AwardCriterion.id)))


def nomination_of(s: Session, round_id: int, organisation_id: int | None
                  ) -> AwardNomination | None:
    if organisation_id is None:
        return None
    return s.exec(select(AwardNomination).where(
        AwardNomination.round_id == round_id,
        AwardNomination.organisation_id == organisation_id)).first()


def nominations(s: Session, award: AwardRound, *, submitted_only: bool = False) -> list[dict]:
    """Each nomination with its municipality and hand-in, by municipality name; one query."""
    query = (select(AwardNomination, Organisation, Submission)
             .join(Organisation, Organisation.id == AwardNomination.organisation_id)
             .outerjoin(Submission, Submission.id == AwardNomination.submission_id)
             .where(AwardNomination.round_id == award.id).order_by(Organisation.name))
    if submitted_only:
        query = query.where(AwardNomination.submitted_at.is_not(None))
    return [{"nomination": n, "organisation": o, "submission": sub}
            for n, o, sub in s.exec(query)]


def scores_by_juror(s: Session, round_id: int, coordinator_id: int) -> dict:
    """{(nomination_id, criterion_id): score} of one juror in one round."""
    rows = s.exec(select(AwardScore).join(AwardNomination,
                                          AwardNomination.id == AwardScore.nomination_id)
                  .where(AwardNomination.round_id == round_id,
                         AwardScore.coordinator_id == coordinator_id))
    return {(r.nomination_id, r.criterion_id): r.score for r in rows}


def results(s: Session, award: AwardRound) -> list[dict]:
    """Submitted nominations with the jury's average per criterion and the weighted total
    (sum of average x weight, divided by the sum of the weights), best first."""
    crits = criteria(s, award.id)
    rows = nominations(s, award, submitted_only=True)
    scores: dict[tuple[int, int], list[int]] = {}
    for r in s.exec(select(AwardScore).join(AwardNomination,
                                            AwardNomination.id == AwardScore.nomination_id)
                    .where(AwardNomination.round_id == award.id)):
        scores.setdefault((r.nomination_id, r.criterion_id), []).append(r.score)
    weights = sum(c.weight for c in crits) or 1
    for row in rows:
        averages = {}
        for c in crits:
            given = scores.get((row["nomination"].id, c.id), [])
            averages[c.id] = round(sum(given) / len(given), 1) if given else None
        row["averages"] = averages
        row["jurors"] = max((len(scores.get((row["nomination"].id, c.id), [])) for c in crits),
                            default=0)
        complete = [c for c in crits if averages[c.id] is not None]
        row["total"] = round(sum(averages[c.id] * c.weight for c in complete) / weights, 2) \
            if len(complete) == len(crits) and crits else None
    return sorted(rows, key=lambda r: (r["total"] is None, -(r["total"] or 0),
                                       r["organisation"].name))


# --- public --------------------------------------------------------------------------------------
def public_years(s: Session) -> list[int]:
    return sorted(set(s.exec(select(AwardRound.year))), reverse=True)


def public_rounds(s: Session, year: int) -> list[dict]:
    """The rounds of a year as the public sees them: the shortlist only once published, the
    winner only once published; nothing else of the nominations."""
    found = []
    for award, organiser in s.exec(select(AwardRound, Organiser)
                                   .join(Organiser, Organiser.id == AwardRound.organiser_id)
                                   .where(AwardRound.year == year).order_by(Organiser.name)):
        shortlist, winner = [], None
        if award.publication in (Publication.SHORTLIST, Publication.WINNER):
            shortlist = [r for r in nominations(s, award, submitted_only=True)
                         if r["nomination"].shortlisted]
            if award.publication == Publication.WINNER:
                winner = next((r for r in shortlist if r["nomination"].winner), None)
        edition = s.get(Edition, award.edition_id)
        found.append({"round": award, "organiser": organiser, "edition": edition,
                      "track": s.get(Track, edition.track_id),
                      "criteria": criteria(s, award.id), "shortlist": shortlist,
                      "winner": winner})
    return found
