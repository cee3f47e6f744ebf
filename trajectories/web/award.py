"""The award's public pages (/prijs/, /prijs/<year>) and the nomination form of a municipality,
filled in by one of its civil servants, signed in by mail link (/mijn/inloggen)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trajectories.award import queries
from trajectories.award import services as award_services
from trajectories.award.models import AwardRound
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.people import uploads
from trajectories.web import db_session
from trajectories.web.selfservice.blueprint import current_participant, signed_in

bp = Blueprint("award", __name__)


def _page(year: int | None):
    s = db_session()
    years = queries.public_years(s)
    if year is None:
        year = utcnow().year if utcnow().year in years else (years[0] if years else None)
    rounds = queries.public_rounds(s, year) if year is not None else []
    if year is not None and not rounds and request.view_args.get("year") is not None:
        abort(404)
    for row in rounds:
        row["open"] = award_services.nominations_open(s, row["round"])
    return render_template("award/public.html", year=year, years=years, rounds=rounds)


@bp.get("/prijs/")
def index():
    return _page(None)


@bp.get("/prijs/<int:year>")
def year_page(year: int):
    return _page(year)


def _round_or_404(round_id: int) -> AwardRound:
    award = db_session().get(AwardRound, round_id)
    if award is None:
        abort(404)
    return award


@bp.route("/prijs/nomineren/<int:round_id>", methods=["GET", "POST"])
@signed_in
def nominate(round_id: int):
    """Start, save (draft) or submit my municipality's nomination. After the close, every
    change is refused with the reason; nothing is stored."""
    s = db_session()
    award = _round_or_404(round_id)
    participant = current_participant()
    nomination = queries.nomination_of(s, award.id, participant.organisation_id)
    error = None
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if nomination is None or action == "start":
                nomination = award_services.start_nomination(s, award, participant)
                flash(_("Je nominatie is begonnen. Bewaar ze als concept of dien ze in."),
                      "success")
            elif action == "submit":
                award_services.submit_nomination(
                    s, award, nomination, participant, title=request.form.get("title"),
                    text=request.form.get("text"), storage=request.files.get("file"))
                flash(_("Je nominatie is ingediend. Dank je wel!"), "success")
            else:
                award_services.save_draft(s, award, nomination, title=request.form.get("title"),
                                          text=request.form.get("text"))
                flash(_("Je concept is bewaard. Het is pas ingediend als je op „Indienen” "
                        "klikt."), "success")
        except InvalidInput as exc:
            error = exc
        else:
            return redirect(url_for("award.nominate", round_id=award.id))
    return render_template(
        "award/nominate.html", award=award, nomination=nomination, error=error,
        form=request.form if error else {}, participant=participant,
        open=award_services.nominations_open(s, award), criteria=queries.criteria(s, award.id),
        accept=uploads.ACCEPT, max_mb=uploads.MAX_BYTES // 1024 // 1024,
    ), 200 if error is None else 422
