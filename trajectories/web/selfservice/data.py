"""My data: mail preferences, a copy of everything kept about me, and erasing my account."""

from __future__ import annotations

import json

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trajectories.core.errors import InvalidInput
from trajectories.mail.preferences import (
    PREFERENCE_LABELS,
    mail_preferences,
    set_mail_preference,
)
from trajectories.people import privacy, uploads
from trajectories.web import db_session, fresh_session
from trajectories.web.selfservice.blueprint import bp, current_participant, message, signed_in


@bp.route("/mijn/voorkeuren", methods=["GET", "POST"])
@signed_in
def preferences():
    s = db_session()
    participant = current_participant()
    if request.method == "POST":
        wanted = set(request.form.getlist("kind"))
        for kind, enabled in mail_preferences(s, participant).items():
            if (kind in wanted) != enabled:
                set_mail_preference(s, participant, kind, kind in wanted)
        flash(_("Je e-mailvoorkeuren zijn opgeslagen."), "success")
        return redirect(url_for("selfservice.preferences"))
    return render_template("selfservice/preferences.html",
                           preferences=mail_preferences(s, participant), labels=PREFERENCE_LABELS)


@bp.get("/mijn/gegevens.json")
@signed_in
def export():
    data = privacy.export(db_session(), current_participant())
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/mijn/wissen", methods=["GET", "POST"])
@signed_in
def erase():
    participant = current_participant()
    error = None
    if request.method == "POST":
        if request.form.get("confirm_email", "").strip().lower() != participant.email:
            error = InvalidInput(_("Typ je e-mailadres om te bevestigen dat je je account wilt "
                                   "wissen."), "confirm_email")
        else:
            for path in privacy.erase(db_session(), participant):
                uploads.remove(path)
            fresh_session()
            return message(_("Je account is gewist"),
                           _("Je naam en e-mailadres zijn verwijderd. Je krijgt geen e-mail "
                             "meer van ons."))
    return render_template("selfservice/erase.html", participant=participant,
                           error=error), 200 if error is None else 422
