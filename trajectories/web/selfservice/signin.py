"""Signing in by a link sent by mail (no passwords for participants), and signing out."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from trajectories.core.errors import InvalidInput
from trajectories.people import registration
from trajectories.web import db_session, fresh_session
from trajectories.web.security import limiter
from trajectories.web.selfservice.blueprint import bp, email_key, link_from_mail, message


@bp.route("/mijn/inloggen", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=email_key)
def signin_request():
    error = None
    if request.method == "POST":
        try:
            registration.request_signin(db_session(), request.form.get("email", ""))
            return message(
                _("Kijk in je mailbox"),
                _("Als %(email)s bij ons bekend is, heb je nu een e-mail met een inloglink. De "
                  "link werkt één keer en %(m)s minuten lang.",
                  email=request.form.get("email", "").strip().lower(),
                  m=registration.RETENTION.signin_minutes))
        except InvalidInput as exc:
            error = exc
    return render_template("selfservice/signin.html", error=error,
                           email=request.form.get("email", "")), 200 if error is None else 422


@bp.route("/mijn/link", methods=["GET", "POST"])
def signin():
    return link_from_mail("selfservice/signin_link.html",
                          lambda token: (registration.sign_in(db_session(), token),
                                         url_for("selfservice.home")),
                          _("Inloggen lukt niet"))


@bp.post("/mijn/uitloggen")
def signout():
    fresh_session()
    return redirect(url_for("public.catalogue"))
