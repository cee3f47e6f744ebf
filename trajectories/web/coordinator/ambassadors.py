"""Ambassadors per province under /beheer/ambassadeurs: the organiser's provinces with their
ambassador now, ahead and before; appoint, correct and end one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import Optional

from trajectories.ambassadors import provinces, services
from trajectories.ambassadors import queries as ambassadors
from trajectories.ambassadors.models import Ambassador
from trajectories.catalogue.models import Organiser
from trajectories.core.errors import InvalidInput
from trajectories.core.reference import current
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import DutchDateField, Form, required, status_code

FIELDS = ("province", "name", "role", "municipality_code", "contact_email", "contact_consent",
          "starts_on", "ends_on")


class AmbassadorForm(Form):
    province = SelectField(_l("Provincie"), validators=[required()], validate_choice=False)
    name = StringField(_l("Naam"), validators=[required()])
    role = StringField(_l("Functie"), validators=[required()],
                       description=_l("Bijvoorbeeld wethouder Duurzaamheid, schepen of "
                                      "beleidsadviseur Global Goals."))
    municipality_code = SelectField(_l("Gemeente"), validators=[required()],
                                    validate_choice=False,
                                    description=_l("Een gemeente in de gekozen provincie."))
    contact_email = EmailField(_l("E-mailadres voor het publiek (niet verplicht)"),
                               description=_l("Staat op de openbare provinciepagina, alleen met "
                                              "toestemming van de ambassadeur."))
    contact_consent = BooleanField(_l("De ambassadeur geeft toestemming om dit e-mailadres "
                                      "openbaar te tonen"))
    starts_on = DutchDateField(_l("Begindatum"), validators=[required()])
    ends_on = DutchDateField(_l("Einddatum (laatste dag)"), validators=[Optional()],
                             description=_l("Leeg laten zolang er geen einddatum is."))

    def offer(self, session, organiser: Organiser) -> None:
        """The organiser's provinces, and their municipalities grouped per province."""
        mine = provinces.of_country(organiser.country)
        self.province.choices = [("", _("Kies een provincie")),
                                 *((p.slug, p.name) for p in mine)]
        grouped: dict[str, list] = {p.name: [] for p in mine}
        for m in current(session):
            if m.country == organiser.country and m.province in grouped:
                grouped[m.province].append((m.code, m.name))
        self.municipality_code.choices = {"": [("", _("Kies een gemeente"))], **grouped}


class EndForm(Form):
    ends_on = DutchDateField(_l("Laatste dag als ambassadeur"), validators=[required()])


def _organiser() -> Organiser:
    """The coordinator's organiser; an admin picks one (`organisator`), the first by default."""
    if current_user.organiser is not None and not current_user.is_admin:
        return current_user.organiser
    organisers = access.visible_organisers()
    if not organisers:
        abort(404)
    chosen = whole_number(request.args.get("organisator"))
    return next((o for o in organisers if o.id == chosen), organisers[0])


def _ambassador(ambassador_id: int) -> Ambassador:
    found = ambassadors.ambassador(db_session(), ambassador_id, access.organiser_ids())
    if found is None:
        abort(404)
    return found


def _refused(form: Form, exc: InvalidInput) -> None:
    """Every field the service found wrong gets its message (or the form, without a field)."""
    for name, message in (exc.errors or {None: exc.message}).items():
        form.fail(InvalidInput(message, name))


def _list_url(organiser: Organiser) -> str:
    return url_for("coordinator.ambassadors",
                   **({"organisator": organiser.id} if current_user.is_admin else {}))


@bp.get("/ambassadeurs", endpoint="ambassadors")
def ambassador_list():
    organiser = _organiser()
    return render_template(
        "coordinator/ambassadors.html", organiser=organiser,
        rows=ambassadors.of_organiser(db_session(), organiser),
        organisers=access.visible_organisers() if current_user.is_admin else [],
        period=services.period_text)



def _form_page(form: Form, organiser: Organiser, ambassador: Ambassador | None):
    return render_template("coordinator/ambassador_form.html", form=form, organiser=organiser,
                           ambassador=ambassador,
                           end_form=EndForm(prefix="end") if ambassador else None,
                           period=services.period_text), status_code(form)


@bp.route("/ambassadeurs/nieuw", methods=["GET", "POST"])
def ambassador_new():
    s = db_session()
    organiser = _organiser()
    form = AmbassadorForm()
    form.offer(s, organiser)
    if request.method == "GET" and request.args.get("provincie"):
        form.province.data = request.args["provincie"]
    if form.validate_on_submit():
        try:
            ambassador = services.appoint(s, organiser, form.data_for_service(*FIELDS))
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            flash(_("%(name)s is ambassadeur voor %(province)s.", name=ambassador.name,
                    province=ambassador.province), "success")
            return redirect(_list_url(organiser))
    return _form_page(form, organiser, None)


@bp.route("/ambassadeurs/<int:ambassador_id>", methods=["GET", "POST"])
def ambassador_edit(ambassador_id: int):
    s = db_session()
    ambassador = _ambassador(ambassador_id)
    organiser = s.get(Organiser, ambassador.organiser_id)
    province = provinces.find(ambassador.country, ambassador.province)
    form = AmbassadorForm(data={**{name: getattr(ambassador, name) for name in FIELDS
                                   if name != "province"},
                                "province": province.slug if province else ""})
    form.offer(s, organiser)
    if form.validate_on_submit():
        try:
            services.change(s, ambassador, form.data_for_service(*FIELDS))
        except InvalidInput as exc:
            _refused(form, exc)
        else:
            flash(_("De gegevens van %(name)s zijn opgeslagen.", name=ambassador.name),
                  "success")
            return redirect(_list_url(organiser))
    return _form_page(form, organiser, ambassador)


@bp.post("/ambassadeurs/<int:ambassador_id>/beeindigen")
def ambassador_end(ambassador_id: int):
    s = db_session()
    ambassador = _ambassador(ambassador_id)
    organiser = s.get(Organiser, ambassador.organiser_id)
    end_form = EndForm(prefix="end")
    if end_form.validate_on_submit():
        try:
            services.end(s, ambassador, end_form.ends_on.data)
        except InvalidInput as exc:
            end_form.fail(exc)
        else:
            flash(_("Het ambassadeurschap van %(name)s eindigt op %(day)s.", name=ambassador.name,
                    day=services.short_date(ambassador.ends_on)), "success")
            return redirect(_list_url(organiser))
    province = provinces.find(ambassador.country, ambassador.province)
    form = AmbassadorForm(formdata=None, data={
        **{name: getattr(ambassador, name) for name in FIELDS if name != "province"},
        "province": province.slug if province else ""})
    form.offer(s, organiser)
    return render_template("coordinator/ambassador_form.html", form=form, organiser=organiser,
                           ambassador=ambassador, end_form=end_form,
                           period=services.period_text), 400
