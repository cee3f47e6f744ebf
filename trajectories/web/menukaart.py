"""The Menukaart in public: the list with search and filters, each example's page and files, a
municipality's page, proposing an example (double opt-in) and the municipality's consent for an
example made from its deliverable (by the link in the mail)."""

from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from sqlmodel import select

from trajectories.core.errors import InvalidInput
from trajectories.core.reference import find
from trajectories.menukaart import links as mail_links
from trajectories.menukaart import proposals, queries, services
from trajectories.menukaart.models import ExampleFile, ExampleStatus
from trajectories.people import uploads
from trajectories.people.models import Organisation
from trajectories.reach.history import municipality_group
from trajectories.web import db_session
from trajectories.web.public import municipality_groups
from trajectories.web.security import limiter
from trajectories.web.selfservice.blueprint import email_key, message

bp = Blueprint("menukaart", __name__)

CODE_RE = re.compile(r"[A-Z0-9]{1,10}")


@bp.get("/menukaart/")
def index():
    filters = queries.Filters.from_args(request.args)
    rows = queries.search(db_session(), filters)
    return render_template("menukaart/index.html", rows=rows, filters=filters,
                           **queries.choices(db_session()))


@bp.get("/menukaart/<int:example_id>")
def example(example_id: int):
    found = queries.published(db_session(), example_id)
    if found is None:
        abort(404)
    row, organisation = found
    return render_template("menukaart/example.html", example=row, organisation=organisation,
                           files=queries.files_of(db_session(), row.id))


@bp.get("/menukaart/<int:example_id>/bestanden/<int:file_id>")
def example_file(example_id: int, file_id: int):
    found = queries.published(db_session(), example_id)
    row = db_session().get(ExampleFile, file_id)
    if found is None or row is None or row.example_id != example_id:
        abort(404)
    return uploads.send_stored(row.file_path, lambda _path: services.file_name(row))


@bp.get("/gemeenten/<code>")
def municipality(code: str):
    code = code.strip().upper()
    if not CODE_RE.fullmatch(code):  # a CBS (GM0363) or NIS (11002) code, nothing else
        abort(404)
    organisation = db_session().exec(
        select(Organisation).where(Organisation.code == code)).first()
    reference = find(db_session(), code)
    if organisation is None and reference is None:
        abort(404)
    examples, taken = [], []
    if organisation is not None:
        examples = queries.published_examples(db_session(), organisation_id=organisation.id)
        group = municipality_group(db_session(), organisation.id)
        taken = queries.tracks_taken(db_session(), [o.id for o in group])
    name = organisation.name if organisation else reference.name
    province = (organisation.province if organisation else "") or \
        (reference.province if reference else "")
    return render_template("menukaart/municipality.html", name=name, code=code,
                           province=province, examples=examples, taken=taken)


def _form_page(form, error=None):
    return render_template("menukaart/propose.html", form=form, error=error,
                           groups=municipality_groups()), 200 if error is None else 422


@bp.route("/menukaart/voorstellen", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=email_key)
def propose():
    if request.method == "GET":
        return _form_page({})
    form = request.form
    if form.get("website"):  # the honeypot: answer as if all went well, keep nothing
        return _check_mail(form.get("email", ""))
    data = {**form.to_dict(), "sdgs": form.getlist("sdgs")}
    try:
        proposals.request_proposal(db_session(), data)
    except InvalidInput as exc:
        return _form_page(form, exc)
    return _check_mail(form.get("email", ""))


def _check_mail(email: str):
    return message(_("Kijk in je mailbox"),
                   _("We hebben een e-mail gestuurd naar %(email)s. Klik op de link in die "
                     "e-mail om je voorstel te bevestigen; pas dan bekijkt een coördinator het.",
                     email=email.strip().lower()))


@bp.route("/menukaart/bevestigen", methods=["GET", "POST"])
def confirm():
    token = request.values.get("t", "")
    if request.method == "GET":
        return render_template("menukaart/confirm.html", token=token)
    try:
        proposals.confirm_proposal(db_session(), token)
    except InvalidInput as exc:
        return message(_("Bevestigen lukt niet"), exc.message, 400)
    return message(_("Bedankt voor je voorstel"),
                   _("Je voorstel is bevestigd. Een coördinator bekijkt het; pas als het is "
                     "goedgekeurd, staat het op de Menukaart."))


@bp.route("/menukaart/toestemming", methods=["GET", "POST"])
def consent():
    """The municipality's consent: GET shows the example as it would be shown (using nothing:
    mail scanners open links), POST answers yes or no, once."""
    token = request.values.get("t", "")
    if request.method == "GET":
        try:
            row = mail_links.example_of(db_session(), token)
        except InvalidInput as exc:
            return message(_("Toestemming geven lukt niet"), exc.message, 400)
        if row.status != ExampleStatus.AWAITING_CONSENT:
            return message(_("Toestemming geven lukt niet"),
                           _("Deze link is ongeldig of al gebruikt."), 400)
        return render_template("menukaart/consent.html", token=token, example=row,
                               organisation=db_session().get(Organisation, row.organisation_id),
                               files=queries.files_of(db_session(), row.id))
    agree = request.form.get("answer") == "yes"
    try:
        row = services.answer_consent(db_session(), token, agree=agree,
                                      show_contact=bool(request.form.get("show_contact")))
    except InvalidInput as exc:
        return message(_("Toestemming geven lukt niet"), exc.message, 400)
    if agree:
        return message(_("Dank je wel"), _("Het voorbeeld staat nu op de Menukaart."))
    return message(_("Dank je wel"), _("Het voorbeeld wordt niet gepubliceerd."))
