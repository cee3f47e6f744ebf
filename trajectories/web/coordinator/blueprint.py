"""The coordinators' blueprint: sign-in (Flask-Login), the check that every view but the sign-in
pages needs it, and the Jinja filters; the views are in the modules beside it."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import LoginManager, current_user

from trajectories.accounts.models import Coordinator
from trajectories.catalogue.models import Organiser
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import filters

bp = Blueprint("coordinator", __name__, url_prefix="/beheer")
login_manager = LoginManager()

#: Views reachable without signing in.
PUBLIC_ENDPOINTS = {"coordinator.login", "coordinator.forgot_password",
                    "coordinator.reset_password", "coordinator.accept_invitation"}
#: The only views a jury account (the award's jury: `Coordinator.jury_only`) may open; every
#: other page under /beheer answers 403 to it.
JURY_ENDPOINTS = {"coordinator.jury_home", "coordinator.jury_round",
                  "coordinator.award_nomination_file", "coordinator.logout"}


class CoordinatorUser:
    """The Flask-Login wrapper around a `Coordinator` row."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, row: Coordinator, organiser: Organiser | None):
        self.row = row
        self.id = row.id
        self.is_admin = row.is_admin
        self.organiser_id = row.organiser_id
        self.organiser = organiser
        self.name = row.name
        self.email = row.email
        self.jury_only = row.jury_only

    def get_id(self) -> str:
        # The hash's tail: a password change signs out every other session of this account.
        return f"{self.row.id}:{self.row.password_hash[-16:]}"


@login_manager.user_loader
def _load_user(user_id: str):
    row_id, _, fingerprint = user_id.partition(":")
    coordinator_id = whole_number(row_id)
    if coordinator_id is None:
        return None
    row = db_session().get(Coordinator, coordinator_id)
    if row is None or row.password_hash[-16:] != fingerprint:
        return None
    organiser = db_session().get(Organiser, row.organiser_id) if row.organiser_id else None
    return CoordinatorUser(row, organiser)


@bp.record_once
def _setup(state) -> None:
    app = state.app
    login_manager.init_app(app)
    login_manager.login_view = "coordinator.login"
    login_manager.login_message = None
    filters.register(app)


@bp.before_request
def _require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("coordinator.login", next=request.full_path.rstrip("?")))
    if current_user.jury_only and request.endpoint not in JURY_ENDPOINTS:
        abort(403)
    g.actor = f"coordinator:{current_user.id}"
    # The request's session may exist already (the user loader used it): label it too.
    db_session().info["actor"] = g.actor
    return None
