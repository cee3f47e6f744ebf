"""The Menukaart under /beheer: every example with its status, writing and editing one, the
review of proposals (publish, or reject with a reason), asking a municipality's consent, files,
and "maak voorbeeld" from a deliverable."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from trajectories.core.errors import InvalidInput
from trajectories.core.reference import goals as sdg_goals
from trajectories.menukaart import queries, services
from trajectories.menukaart.models import Example, ExampleFile, ExampleStatus
from trajectories.people import uploads
from trajectories.people.models import Organisation
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import (
    ConfirmForm,
    Form,
    MultiCheckboxField,
    confirmed,
    required,
    save,
    status_code,
)
from trajectories.web.public import municipality_groups

FIELDS = ("municipality", "title", "summary", "what_was_done", "sdgs", "theme", "contact_name",
          "contact_email", "contact_consent", "links", "year")


class ExampleForm(Form):
    municipality = SelectField(_l("Gemeente"), validate_choice=False)
    title = StringField(_l("Titel"), validators=[required()])
    summary = TextAreaField(_l("Korte beschrijving"), validators=[required()])
    what_was_done = TextAreaField(_l("Wat is er gedaan"), validators=[required()])
    sdgs = MultiCheckboxField(_l("Global Goals"), coerce=int)
    theme = StringField(_l("Thema"))
    contact_name = StringField(_l("Naam contactpersoon"))
    contact_email = StringField(_l("E-mailadres contactpersoon"))
    contact_consent = BooleanField(_l("De contactpersoon gaf toestemming om naam en e-mailadres "
                                      "te tonen"))
    links = TextAreaField(_l("Links"), description=_l("Eén webadres per regel, beginnend met "
                                                      "https://."))
    year = StringField(_l("Jaar"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = str(get_locale())
        self.sdgs.choices = [(g.number, f"{g.number}. {g.name(language)}")
                             for g in sdg_goals().values()]
        self.municipality.choices = [("", _("Kies de gemeente"))] + [
            (group, [(m.code, m.name) for m in items]) for group, items in municipality_groups()]


def _example(example_id: int) -> Example:
    found = queries.visible(db_session(), example_id, access.organiser_ids())
    if found is None:
        abort(404)
    return found


def _form_data(form: ExampleForm) -> dict:
    return form.data_for_service(*FIELDS)


@bp.get("/menukaart")
def menukaart():
    status = request.args.get("status", "")
    status = status if status in list(ExampleStatus) else ""
    return render_template("coordinator/menukaart/list.html", status=status,
                           rows=queries.for_coordinator(db_session(), access.organiser_ids(),
                                                        status),
                           waiting=len(queries.review_list(db_session(),
                                                           access.organiser_ids())))


@bp.get("/menukaart/voorstellen")
def menukaart_review():
    return render_template("coordinator/menukaart/review.html",
                           rows=queries.review_list(db_session(), access.organiser_ids()),
                           form=ConfirmForm())


@bp.route("/menukaart/nieuw", methods=["GET", "POST"])
def new_example():
    organisers = access.visible_organisers()
    if not organisers:
        abort(404)
    organiser = organisers[0]
    chosen = whole_number(request.args.get("organisator"))
    if chosen is not None:
        organiser = access.organiser(chosen)
    form = ExampleForm()
    saved = save(form, lambda: services.create_example(db_session(), organiser, _form_data(form)),
                 _("Voorbeeld opgeslagen als concept."),
                 lambda row: url_for("coordinator.edit_example", example_id=row.id))
    return saved or (render_template("coordinator/menukaart/form.html", form=form, example=None,
                                     organiser=organiser), status_code(form))


@bp.route("/menukaart/<int:example_id>", methods=["GET", "POST"])
def edit_example(example_id: int):
    row = _example(example_id)
    form = ExampleForm(obj=row)
    if request.method == "GET":
        organisation = db_session().get(Organisation, row.organisation_id)
        form.municipality.data = organisation.code if organisation else ""
        form.links.data = "\n".join(row.links or [])
        form.year.data = str(row.year or "")
    saved = save(form, lambda: services.update_example(db_session(), row, _form_data(form)),
                 _("Wijzigingen opgeslagen."),
                 url_for("coordinator.edit_example", example_id=row.id))
    return saved or (render_template(
        "coordinator/menukaart/form.html", form=form, example=row, confirm=ConfirmForm(),
        files=queries.files_of(db_session(), row.id), may_publish=services.may_publish(row),
        organiser=access.organiser(row.organiser_id)), status_code(form))


def _back(row: Example) -> str:
    return url_for("coordinator.edit_example", example_id=row.id)


@bp.post("/menukaart/<int:example_id>/publiceren")
def publish_example(example_id: int):
    row = _example(example_id)
    return confirmed(lambda: services.publish(db_session(), row),
                     _("Het voorbeeld staat op de Menukaart."), _back(row))


@bp.post("/menukaart/<int:example_id>/offline")
def unpublish_example(example_id: int):
    row = _example(example_id)
    return confirmed(lambda: services.unpublish(db_session(), row),
                     _("Het voorbeeld staat niet meer op de Menukaart."), _back(row))


@bp.post("/menukaart/<int:example_id>/afwijzen")
def reject_example(example_id: int):
    row = _example(example_id)
    return confirmed(lambda: services.reject(db_session(), row, request.form.get("reason", "")),
                     _("Het voorstel is afgewezen."), _back(row))


@bp.post("/menukaart/<int:example_id>/toestemming")
def request_consent(example_id: int):
    row = _example(example_id)
    return confirmed(lambda: services.request_consent(db_session(), row,
                                                      request.form.get("email", "")),
                     lambda r: _("Toestemming gevraagd aan %(email)s.", email=r.requested_from),
                     _back(row))


@bp.post("/menukaart/<int:example_id>/bestanden")
def add_example_file(example_id: int):
    row = _example(example_id)
    if ConfirmForm().validate_on_submit():
        try:
            added = services.add_file(db_session(), row, request.files.get("upload"))
        except InvalidInput as exc:
            flash(exc.message, "error")
        else:
            flash(_("Bestand toegevoegd.") if added else _("Kies een bestand."),
                  "success" if added else "error")
    return redirect(_back(row))


def _file(file_id: int) -> tuple[ExampleFile, Example]:
    row = db_session().get(ExampleFile, file_id)
    if row is None:
        abort(404)
    return row, _example(row.example_id)


@bp.post("/menukaart/bestanden/<int:file_id>/verwijderen")
def remove_example_file(file_id: int):
    row, example = _file(file_id)
    return confirmed(lambda: services.remove_file(db_session(), row),
                     _("Bestand verwijderd."), _back(example))


@bp.get("/menukaart/bestanden/<int:file_id>")
def example_file(file_id: int):

    row, _example_row = _file(file_id)
    return uploads.send_stored(row.file_path, lambda _path: services.file_name(row))


@bp.post("/inzendingen/<int:submission_id>/voorbeeld")
def example_from_submission(submission_id: int):
    sub, _deadline, _edition, _track = access.submission(submission_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("coordinator.submission", submission_id=sub.id))
    try:
        row = services.from_submission(db_session(), sub)
    except InvalidInput as exc:
        flash(exc.message, "error")
        return redirect(url_for("coordinator.submission", submission_id=sub.id))
    flash(_("Concept gemaakt. Pas het aan en vraag dan de gemeente om toestemming."), "success")
    return redirect(_back(row))
