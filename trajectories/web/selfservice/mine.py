"""My trajectories: my editions, my next sessions and deadlines, withdrawing, and the link of my
personal calendar feed."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trajectories.catalogue.models import Edition
from trajectories.completion.queries import certificates_of
from trajectories.core.errors import InvalidInput
from trajectories.feeds.tokens import rotate_feed_token
from trajectories.interest import queries as interest
from trajectories.people import places, queries
from trajectories.people import services as people
from trajectories.people.models import Enrollment
from trajectories.web import db_session, whole_number
from trajectories.web.selfservice.blueprint import bp, current_participant, signed_in


@bp.get("/mijn/")
@signed_in
def home():
    return _home_page()


def _home_page(new_feed_token: str | None = None):
    confirmed = whole_number(request.args.get("bevestigd"))
    team = places.joined_team(db_session(), db_session().get(Edition, confirmed),
                              current_participant()) if confirmed else None
    return render_template("selfservice/home.html", participant=current_participant(),
                           confirmed=confirmed, team=team,
                           new_feed_token=new_feed_token,
                           on_list=whole_number(request.args.get("lijst")),
                           interest=interest.entries_of(db_session(), current_participant()),
                           certificates=certificates_of(db_session(), current_participant().id),
                           **queries.overview(db_session(), current_participant()))


@bp.post("/mijn/inschrijving/<int:enrollment_id>/afmelden")
@signed_in
def withdraw(enrollment_id: int):
    enrollment = db_session().get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.participant_id != current_participant().id:
        abort(404)
    try:
        people.withdraw(db_session(), enrollment)
        flash(_("Je bent afgemeld voor deze editie."), "success")
    except InvalidInput as exc:
        flash(exc.message, "error")
    return redirect(url_for("selfservice.home"))


@bp.post("/mijn/agenda/nieuwe-link")
@signed_in
def rotate_feed():
    """The new link is shown in this response only: never in a cookie (signed, not encrypted),
    and only its hash is kept."""
    had_link = current_participant().feed_token_hash is not None
    token = rotate_feed_token(db_session(), current_participant())
    if had_link:
        flash(_("Je agenda heeft een nieuwe link. De oude link werkt niet meer: abonneer je "
                "opnieuw."), "success")
    else:
        flash(_("Je agenda-link is klaar: abonneer je hieronder."), "success")
    response = make_response(_home_page(new_feed_token=token))
    response.headers["Cache-Control"] = "no-store"  # a secret: not in any cache or history copy
    return response
