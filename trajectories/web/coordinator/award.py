"""The award under /beheer: rounds (coordinators), a round's nominations, shortlist, jury
scores and weighted totals, the winner and publishing; and the jury's own pages, the only ones
a jury account may open (see `blueprint.JURY_ENDPOINTS`)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from trajectories.accounts import invitations
from trajectories.award import queries
from trajectories.award import services as award_services
from trajectories.award.models import SCORE_MAX, SCORE_MIN, AwardNomination, AwardRound
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.people import uploads
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp

CRITERIA_ROWS = 5


def _coordinator_round(round_id: int) -> AwardRound:
    """A round of my organiser (a jury account never gets here: the blueprint refuses it)."""
    award = queries.round_for(db_session(), round_id, access.organiser_ids())
    if award is None:
        abort(404)
    return award


def _day(value: str | None):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@bp.route("/prijs", methods=["GET", "POST"])
def award_rounds():
    s = db_session()
    error = None
    organisers = access.visible_organisers()
    if request.method == "POST":
        form = request.form
        organiser = access.organiser(whole_number(form.get("organiser_id")) or 0) \
            if len(organisers) > 1 else organisers[0]
        try:
            award = award_services.create_round(
                s, organiser, year=form.get("year"), title=form.get("title"),
                intro=form.get("intro"), opens_on=_day(form.get("opens_on")),
                closes_on=_day(form.get("closes_on")),
                criteria=[(form.get(f"criterion_{i}"), form.get(f"weight_{i}"))
                          for i in range(CRITERIA_ROWS)])
        except InvalidInput as exc:
            error = exc
        else:
            flash(_("De ronde is aangemaakt."), "success")
            return redirect(url_for("coordinator.award_round", round_id=award.id))
    return render_template("award/rounds.html", rounds=queries.rounds(s, access.organiser_ids()),
                           organisers=organisers, error=error, form=request.form,
                           rows=CRITERIA_ROWS, year=utcnow().year), 200 if error is None else 422


@bp.get("/prijs/<int:round_id>")
def award_round(round_id: int, error: InvalidInput | None = None):
    s = db_session()
    award = _coordinator_round(round_id)
    return render_template(
        "award/round.html", award=award, error=error,
        nominations=queries.nominations(s, award), results=queries.results(s, award),
        criteria=queries.criteria(s, award.id), jurors=queries.jurors(s, award.id),
        open=award_services.nominations_open(s, award),
        deadline=award_services.deadline_of(s, award)), 200 if error is None else 422


def _act(round_id: int, work, done: str):
    award = _coordinator_round(round_id)
    try:
        work(award)
    except InvalidInput as exc:
        return award_round(round_id, error=exc)
    flash(done, "success")
    return redirect(url_for("coordinator.award_round", round_id=award.id))


@bp.post("/prijs/<int:round_id>/shortlist")
def award_shortlist(round_id: int):
    ids = [whole_number(v) or 0 for v in request.form.getlist("nomination")]
    return _act(round_id, lambda award: award_services.set_shortlist(db_session(), award, ids),
                _("De shortlist is bewaard."))


@bp.post("/prijs/<int:round_id>/winnaar")
def award_winner(round_id: int):
    chosen = whole_number(request.form.get("winner"))
    return _act(round_id, lambda award: award_services.choose_winner(db_session(), award, chosen),
                _("De winnaar is gekozen (nog niet openbaar)."))


@bp.post("/prijs/<int:round_id>/publiceren")
def award_publish(round_id: int):
    what = request.form.get("what", "")
    return _act(round_id, lambda award: award_services.publish(db_session(), award, what),
                _("Gepubliceerd op de openbare pagina."))


@bp.post("/prijs/<int:round_id>/wijzigen")
def award_change(round_id: int):
    form = request.form
    return _act(round_id, lambda award: award_services.change_round(
        db_session(), award, title=form.get("title"), intro=form.get("intro"),
        opens_on=_day(form.get("opens_on")), closes_on=_day(form.get("closes_on"))),
        _("De ronde is gewijzigd; de deadline en de herinneringen schuiven mee."))


@bp.post("/prijs/<int:round_id>/jury")
def award_add_juror(round_id: int):
    form = request.form
    award = _coordinator_round(round_id)
    try:
        juror = award_services.add_juror(db_session(), award, email=form.get("email"),
                                         name=form.get("name"))
    except InvalidInput as exc:
        return award_round(round_id, error=exc)
    if invitations.has_password(juror):
        flash(_("%(name)s zit nu ook in deze jury en heeft daarover een e-mail gekregen; het "
                "bestaande account blijft gelden.", name=juror.name), "success")
    else:
        flash(_("%(name)s is uitgenodigd voor de jury: de e-mail met een link om een wachtwoord "
                "te kiezen is onderweg.", name=juror.name), "success")
    return redirect(url_for("coordinator.award_round", round_id=award.id, _anchor="jury"))


@bp.post("/prijs/<int:round_id>/jury/<int:juror_id>/uitnodiging")
def award_resend_invitation(round_id: int, juror_id: int):
    return _act(round_id, lambda award: award_services.resend_invitation(
        db_session(), award, juror_id), _("De uitnodiging is opnieuw verstuurd; eerdere links "
                                          "werken niet meer."))


# --- the jury ------------------------------------------------------------------------------------
def _jury_round(round_id: int) -> AwardRound:
    """A round whose jury I am on; any other answers 404 (also for a coordinator)."""
    award = db_session().get(AwardRound, round_id)
    if award is None or not queries.is_juror(db_session(), award.id, current_user.id):
        abort(404)
    return award


@bp.get("/jury")
def jury_home():
    return render_template("award/jury_home.html",
                           rounds=queries.juror_rounds(db_session(), current_user.id))


@bp.route("/jury/<int:round_id>", methods=["GET", "POST"])
def jury_round(round_id: int):
    s = db_session()
    award = _jury_round(round_id)
    error, failed_id = None, None
    if request.method == "POST":
        nomination = s.get(AwardNomination, whole_number(request.form.get("nomination")) or 0)
        if nomination is None or nomination.round_id != award.id:
            abort(404)
        scores = {key.removeprefix("score_"): value for key, value in request.form.items()
                  if key.startswith("score_")}
        try:
            award_services.score(s, award, current_user.id, nomination, scores)
        except InvalidInput as exc:
            error, failed_id = exc, nomination.id
        else:
            flash(_("Uw scores voor %(title)s zijn bewaard.", title=nomination.title), "success")
            return redirect(url_for("coordinator.jury_round", round_id=award.id))
    return render_template(
        "award/jury_round.html", award=award, error=error, failed_id=failed_id,
        form=request.form, criteria=queries.criteria(s, award.id),
        nominations=queries.nominations(s, award, submitted_only=True),
        mine=queries.scores_by_juror(s, award.id, current_user.id),
        low=SCORE_MIN, high=SCORE_MAX), 200 if error is None else 422


@bp.get("/prijs/nominatie/<int:nomination_id>/bestand")
def award_nomination_file(nomination_id: int):
    """The file of a submitted nomination: for the round's coordinators and its jury."""
    s = db_session()
    nomination = s.get(AwardNomination, nomination_id)
    award = nomination and s.get(AwardRound, nomination.round_id)
    if award is None or not (
            queries.is_juror(s, award.id, current_user.id) if current_user.row.jury_only
            else queries.round_for(s, award.id, access.organiser_ids())):
        abort(404)
    row = next((r for r in queries.nominations(s, award, submitted_only=True)
                if r["nomination"].id == nomination.id), None)
    submission = row and row["submission"]
    return uploads.send_stored(submission and submission.file_path,
                               lambda path: submission.file_name or path.name)
