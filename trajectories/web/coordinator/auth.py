"""Signing in and out, and (for admins) the coordinator accounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlmodel import select

from ...errors import InvalidInput
from ...models import Coordinator, Organiser
from ...services import accounts
from .. import db_session
from ..security import limiter
from . import bp
from .forms import ConfirmForm, CoordinatorForm, LoginForm


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/beheer") and not target.startswith("//"):
        return target
    return url_for("coordinator.dashboard")


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("coordinator.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        from . import _load_user  # the wrapper Flask-Login keeps in the session

        row = accounts.authenticate(db_session(), form.email.data, form.password.data)
        if row is None:
            form.password.errors = [_("Dit e-mailadres en wachtwoord horen niet bij elkaar.")]
        else:
            session.clear()  # a fresh session: no fixation of a pre-login cookie
            user = _load_user(f"{row.id}:{row.password_hash[-16:]}")
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("coordinator/login.html", form=form), (
        400 if form.is_submitted() and form.errors else 200)


@bp.post("/uitloggen")
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("coordinator.login"))


def _require_admin() -> None:
    if not current_user.is_admin:
        abort(404)


@bp.route("/coordinatoren", methods=["GET", "POST"])
def coordinators():
    _require_admin()
    s = db_session()
    organisers = list(s.exec(select(Organiser).order_by(Organiser.name)))
    form = CoordinatorForm()
    form.organiser.choices = [(0, _("— geen (alleen voor beheerders) —"))] + [
        (o.id, o.name) for o in organisers]
    if form.validate_on_submit():
        organiser = s.get(Organiser, form.organiser.data) if form.organiser.data else None
        try:
            created = accounts.create_coordinator(
                s, email=form.email.data, name=form.name.data, password=form.password.data,
                organiser=organiser, is_admin=form.is_admin.data)
        except InvalidInput as exc:
            form.fail(exc)
        else:
            flash(_("Account voor %(name)s aangemaakt.", name=created.name), "success")
            return redirect(url_for("coordinator.coordinators"))
    rows = list(s.exec(select(Coordinator).order_by(Coordinator.name)))
    names = {o.id: o.name for o in organisers}
    return render_template("coordinator/coordinators.html", form=form, rows=rows, names=names), (
        400 if form.is_submitted() and form.errors else 200)
