"""Signing in and out, and (for admins) the coordinator accounts."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from trajectories.accounts import invitations
from trajectories.accounts import queries as account_queries
from trajectories.accounts import reset as messages
from trajectories.accounts import services as accounts
from trajectories.accounts.models import Coordinator
from trajectories.award import queries as award_queries
from trajectories.catalogue import queries as catalogue
from trajectories.catalogue.models import Organiser
from trajectories.core.errors import InvalidInput
from trajectories.web import db_session, fresh_session, local_path
from trajectories.web.coordinator.blueprint import _load_user, bp
from trajectories.web.coordinator.forms import (
    ConfirmForm,
    CoordinatorForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    save,
    status_code,
)
from trajectories.web.security import limiter


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("coordinator.jury_home" if current_user.jury_only
                                else "coordinator.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        row = accounts.authenticate(db_session(), form.email.data, form.password.data)
        if row is None:
            form.password.errors = [_("Dit e-mailadres en wachtwoord horen niet bij elkaar.")]
        else:
            fresh_session()
            user = _load_user(f"{row.id}:{row.password_hash[-16:]}")
            login_user(user)
            home = url_for("coordinator.jury_home" if row.jury_only else "coordinator.dashboard")
            return redirect(local_path(request.args.get("next"), home, under="/beheer/"))
    return render_template("coordinator/login.html", form=form), status_code(form)


@bp.post("/uitloggen")
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        fresh_session()
        flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("coordinator.login"))


@bp.errorhandler(429)
def too_many_attempts(_error):
    return render_template("coordinator/too_many.html"), 429


def _require_admin() -> None:
    if not current_user.is_admin:
        abort(404)


@bp.route("/coordinatoren", methods=["GET", "POST"])
def coordinators():
    _require_admin()
    s = db_session()
    organisers = catalogue.organisers(s)
    form = CoordinatorForm()
    form.organiser.choices = [(0, _("— geen (alleen voor beheerders) —"))] + [
        (o.id, o.name) for o in organisers]
    saved = save(form, lambda: accounts.create_coordinator(
                     s, email=form.email.data, name=form.name.data, password=form.password.data,
                     organiser=s.get(Organiser, form.organiser.data) if form.organiser.data
                     else None, is_admin=form.is_admin.data),
                 lambda created: _("Account voor %(name)s aangemaakt.", name=created.name),
                 url_for("coordinator.coordinators"))
    return saved or (render_template("coordinator/coordinators.html", form=form,
                                     rows=account_queries.coordinators(s),
                                     names={o.id: o.name for o in organisers}), status_code(form))


# --- password reset by mail: a signed token that expires after an hour and works once -------------
RESET_MAX_AGE = 3600


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="coordinator-reset")


def reset_token(row: Coordinator) -> str:
    # The hash's tail is in the token: once the password changes, the token is spent.
    return _reset_serializer().dumps([row.id, row.password_hash[-16:]])


def _reset_target(token: str) -> Coordinator | None:
    try:
        row_id, fingerprint = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    row = db_session().get(Coordinator, row_id) if isinstance(row_id, int) else None
    return row if row is not None and row.password_hash[-16:] == fingerprint else None


@bp.route("/wachtwoord", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        s = db_session()
        row = account_queries.by_email(s, form.email.data)
        if row is not None:
            base_url = current_app.config["SETTINGS"].base_url.rstrip("/")
            link = base_url + url_for("coordinator.reset_password", token=reset_token(row))
            messages.queue_password_reset(s, row, link)
        # The same answer whether or not the address is known.
        flash(_("Als dit adres bij een account hoort, staat er een mail met een link naar u "
                "onderweg. De link werkt één uur."), "info")
        return redirect(url_for("coordinator.login"))
    return render_template("coordinator/forgot_password.html", form=form), status_code(form)


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    row = _reset_target(token)
    if row is None:
        return render_template("coordinator/reset_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit() and _choose_password(form, row):
        flash(_("Uw nieuwe wachtwoord is ingesteld; u kunt nu inloggen."), "success")
        return redirect(url_for("coordinator.login"))
    return render_template("coordinator/reset_password.html", form=form), status_code(form)


def _choose_password(form: NewPasswordForm, row: Coordinator) -> bool:
    """Set the password a reset or invitation form chose (typed twice alike, strong enough);
    False with the form's error otherwise."""
    if form.password.data != form.repeat.data:
        form.repeat.errors = [_("De twee wachtwoorden zijn niet gelijk.")]
        return False
    try:
        accounts.set_password(db_session(), row, form.password.data)
    except InvalidInput as exc:
        form.fail(exc)
        return False
    return True


# --- an invited jury member chooses a password (accounts/invitations.py) -------------------------
@bp.route("/welkom/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def accept_invitation(token: str):
    s = db_session()
    found = invitations.read_token(s, current_app.config["SECRET_KEY"], token)
    if found is None:
        return render_template("coordinator/invitation_invalid.html"), 404
    row, round_id = found
    form = NewPasswordForm()
    if form.validate_on_submit() and _choose_password(form, row):
        fresh_session()
        login_user(_load_user(f"{row.id}:{row.password_hash[-16:]}"))
        flash(_("Welkom, %(name)s: uw wachtwoord is ingesteld.", name=row.name), "success")
        if award_queries.is_juror(s, round_id, row.id):
            return redirect(url_for("coordinator.jury_round", round_id=round_id))
        return redirect(url_for("coordinator.jury_home"))
    return render_template("coordinator/reset_password.html", form=form, welcome=row.name), \
        status_code(form)
