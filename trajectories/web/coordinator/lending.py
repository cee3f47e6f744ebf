"""Lending under /beheer/uitlenen: the objects (create, edit), each object's queue of requests
(approve, propose another period, decline) and its loans (cancel), and the loans calendar."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired

from trajectories.catalogue.models import Organiser
from trajectories.core.errors import InvalidInput
from trajectories.lending import queries, reminders
from trajectories.lending import services as lending
from trajectories.lending.models import LendableObject, Loan
from trajectories.web import db_session
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import Form, save, status_code


class ObjectForm(Form):
    name = StringField(_l("Naam"), validators=[InputRequired(_l("Naam is verplicht."))])
    slug = StringField(_l("Korte naam (in het webadres /uitlenen/...)"),
                       validators=[InputRequired(_l("Korte naam is verplicht."))])
    description = TextAreaField(_l("Beschrijving"))
    available = BooleanField(_l("Te leen (gemeenten kunnen een periode aanvragen)"),
                             default=True)


def _object(object_id: int) -> LendableObject:
    obj = db_session().get(LendableObject, object_id)
    ids = access.organiser_ids()
    if obj is None or (ids is not None and obj.organiser_id not in ids):
        abort(404)
    return obj


def _loan(loan_id: int) -> tuple[Loan, LendableObject]:
    loan = db_session().get(Loan, loan_id)
    if loan is None:
        abort(404)
    return loan, _object(loan.object_id)


@bp.get("/uitlenen/")
def lending_objects():
    s = db_session()
    return render_template("coordinator/lending_objects.html",
                           objects=queries.objects(s, access.organiser_ids()),
                           loans=queries.calendar(s, access.organiser_ids()))


@bp.route("/uitlenen/nieuw", methods=["GET", "POST"])
def lending_object_new():
    if not current_user.organiser_id:
        abort(404)  # an object belongs to an organiser: an admin without one makes none
    organiser = db_session().get(Organiser, current_user.organiser_id)
    form = ObjectForm()
    saved = save(form, lambda: lending.create_object(db_session(), organiser, form.data),
                 _("Het object is opgeslagen."),
                 lambda obj: url_for("coordinator.lending_object", object_id=obj.id))
    return saved or (render_template("coordinator/lending_object_form.html", form=form,
                                     obj=None), status_code(form))


@bp.route("/uitlenen/<int:object_id>/bewerken", methods=["GET", "POST"])
def lending_object_edit(object_id: int):
    obj = _object(object_id)
    form = ObjectForm(obj=obj)
    saved = save(form, lambda: lending.update_object(db_session(), obj, form.data),
                 _("Wijzigingen opgeslagen."),
                 url_for("coordinator.lending_object", object_id=obj.id))
    return saved or (render_template("coordinator/lending_object_form.html", form=form,
                                     obj=obj), status_code(form))


@bp.get("/uitlenen/<int:object_id>")
def lending_object(object_id: int):
    obj = _object(object_id)
    s = db_session()
    decided = queries.decided(s, obj.id)
    return render_template("coordinator/lending_object.html", obj=obj,
                           queue=queries.queue(s, obj.id), decided=decided,
                           reminders=queries.reminders(s, [r["loan"].id for r in decided]),
                           zone=reminders.zone_of(s.get(Organiser, obj.organiser_id)))


ACTIONS = {
    "goedkeuren": (lambda s, loan, data: lending.approve(s, loan),
                   _l("De uitlening is goedgekeurd; de gemeente krijgt een bevestiging.")),
    "voorstellen": (lending.propose,
                    _l("Het voorstel is verstuurd; de gemeente kan het aannemen met de link in "
                       "de e-mail.")),
    "afwijzen": (lending.decline, _l("De aanvraag is afgewezen; de gemeente krijgt bericht.")),
    "annuleren": (lending.cancel, _l("De uitlening is geannuleerd; de gemeente krijgt bericht.")),
}


@bp.post("/uitlenen/aanvragen/<int:loan_id>/<action>")
def lending_decide(loan_id: int, action: str):
    """One decision on one request or loan; a refusal (an overlap, a missing reason, a bad
    period) is shown above the queue and nothing changes."""
    if action not in ACTIONS:
        abort(404)
    loan, obj = _loan(loan_id)
    service, done = ACTIONS[action]
    try:
        service(db_session(), loan, request.form.to_dict())
    except InvalidInput as exc:
        flash(exc.message, "error")
    else:
        flash(str(done), "success")
    return redirect(url_for("coordinator.lending_object", object_id=obj.id))
