"""Flask-WTF forms (CSRF on every one) and the bridge from a service's `InvalidInput` to the
field it belongs beside. Field names match the services' keyword arguments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import flash, redirect
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select

from trajectories.catalogue.models import Eligibility, PlaceUnit, TrackKind
from trajectories.catalogue.services import MAX_CAPACITY
from trajectories.core.clock import NonexistentLocalTime, to_local, to_utc
from trajectories.core.errors import InvalidInput
from trajectories.core.models import choices
from trajectories.core.reference import goals as sdg_goals
from trajectories.schedule.models import DeliveredBy, MeetingKind, MeetingMode


class Form(FlaskForm):
    def fail(self, exc: InvalidInput) -> None:
        """Show a service's message beside its field (or above the form)."""
        field = self._fields.get(exc.field or "")
        if field is not None:
            field.errors = [*field.errors, exc.message]
        else:
            self.form_errors.append(exc.message)

    def data_for_service(self, *names: str) -> dict:
        return {name: self._fields[name].data for name in names}


T = TypeVar("T")


def save(form: Form, action: Callable[[], T], done: str | Callable[[T], str],
         to: str | Callable[[T], str]):
    """The shape of a coordinator's form view, written once: when the form is posted and valid,
    call the service (`action`); when it refuses (`InvalidInput`), its message goes beside the
    field and the answer is None: render the form again. Otherwise flash `done` and redirect to
    `to`, each a text or made from what the service returned."""
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except InvalidInput as exc:
        form.fail(exc)
        return None
    flash(done(result) if callable(done) else done, "success")
    return redirect(to(result) if callable(to) else to)


def confirmed(action: Callable[[], T], done: str | Callable[[T], str], to: str):
    """The shape of a confirm button's view: when the button's form is valid, call the service;
    its refusal (`InvalidInput`) or `done` (a text, or made from what it returned) is flashed,
    and the answer goes back to `to` either way."""
    if ConfirmForm().validate_on_submit():
        try:
            result = action()
        except InvalidInput as exc:
            flash(exc.message, "error")
        else:
            flash(done(result) if callable(done) else done, "success")
    return redirect(to)


def status_code(form) -> int:
    """400 for a posted form with errors (it is shown again), else 200."""
    return 400 if form.is_submitted() and form.errors else 200


#: Years a date typed here may have: year 1 or 9999 would overflow the zone and feed arithmetic.
YEARS = (1900, 2199)


def _plausible_year(field) -> None:
    if field.data is not None and not YEARS[0] <= field.data.year <= YEARS[1]:
        field.data = None
        raise ValueError(_l("Kies een datum tussen %(first)s en %(last)s.",
                            first=YEARS[0], last=YEARS[1]))


class DutchDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Vul een geldige datum in.")) from None
        _plausible_year(self)


class DutchTimeField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Vul een geldige tijd in, zoals 13:30.")) from None


class DutchDateTimeField(DateTimeLocalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Vul een geldige datum en tijd in.")) from None
        _plausible_year(self)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        allowed = {value for value, _label in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(_l("Kies Global Goals van 1 tot en met 17."))

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(_l("Kies Global Goals van 1 tot en met 17.")) from None


def required() -> InputRequired:
    return InputRequired(message=_l("Dit veld is verplicht."))


class LoginForm(Form):
    email = EmailField(_l("E-mailadres"), validators=[required()])
    password = PasswordField(_l("Wachtwoord"), validators=[required()])


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mailadres"), validators=[required()])


class NewPasswordForm(Form):
    password = PasswordField(_l("Nieuw wachtwoord"), validators=[required()],
                             description=_l("Minstens 12 tekens."))
    repeat = PasswordField(_l("Nieuw wachtwoord nog eens"), validators=[required()])


class TrackForm(Form):
    slug = StringField(_l("Korte naam (in webadressen)"), validators=[required()],
                       description=_l("Kleine letters, cijfers en streepjes."))
    title = StringField(_l("Titel"), validators=[required()])
    summary = TextAreaField(_l("Samenvatting"))
    goals = TextAreaField(_l("Doelen"))
    target_group = TextAreaField(_l("Doelgroep"))
    theme = StringField(_l("Thema"))
    sdgs = MultiCheckboxField(_l("Global Goals"), coerce=int)
    contact_name = StringField(_l("Contactpersoon"))
    contact_email = EmailField(_l("E-mailadres contactpersoon"))
    # Not posted (an older form): a new track is a learning track, an existing one keeps its kind.
    kind = SelectField(_l("Soort"), choices=choices(TrackKind), default=TrackKind.TRAJECTORY,
                       validate_choice=False,
                       description=_l("Regionale bijeenkomsten: elke editie is één bijeenkomst "
                                      "voor één regio, zonder deadlines."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The goals' names in the language of this request, not of the first one.
        language = str(get_locale())
        self.sdgs.choices = [(g.number, f"{g.number}. {g.name(language)}")
                             for g in sdg_goals().values()]


TIMEZONES = [("Europe/Amsterdam", "Europe/Amsterdam"), ("Europe/Brussels", "Europe/Brussels")]


class EditionForm(Form):
    name = StringField(_l("Naam"), validators=[required()],
                       description=_l("Bijvoorbeeld 2027 of Tweede editie."))
    slug = StringField(_l("Korte naam (in webadressen)"), validators=[required()])
    timezone = SelectField(_l("Tijdzone"), choices=TIMEZONES)
    capacity = IntegerField(_l("Aantal plaatsen"), validators=[
        Optional(), NumberRange(min=0, message=_l("Het aantal plaatsen kan niet negatief zijn.")),
        NumberRange(max=MAX_CAPACITY, message=_l("Het aantal plaatsen is hoogstens %(max)s."))],
        description=_l("Leeg laten voor geen grens."))
    place_unit = SelectField(_l("Een plaats is"), choices=choices(PlaceUnit),
                             default=PlaceUnit.PERSON,
                             description=_l("Per gemeente: collega's van een gemeente die al "
                                            "deelneemt, komen bij haar team zonder een nieuwe "
                                            "plaats te nemen; de wachtlijst telt ook gemeenten."))
    max_per_organisation = IntegerField(
        _l("Hoogstens zoveel deelnemers per gemeente"), validators=[
            Optional(), NumberRange(min=1, max=MAX_CAPACITY, message=_l(
                "Het maximum aantal deelnemers per gemeente ligt tussen 1 en %(max)s; laat het "
                "leeg voor geen maximum."))],
        description=_l("Leeg laten voor geen maximum."))
    registration_opens_at = DutchDateTimeField(_l("Inschrijving opent"), validators=[Optional()])
    registration_closes_at = DutchDateTimeField(_l("Inschrijving sluit"), validators=[Optional()])
    eligibility = SelectField(_l("Wie mag deelnemen"), choices=choices(Eligibility))
    requires_approval = BooleanField(_l("Inschrijvingen wachten op goedkeuring"))
    coordinator_email = EmailField(_l("E-mailadres coördinator van deze editie"))
    region = StringField(_l("Regio (bij een regionale bijeenkomst)"),
                         description=_l("Bijvoorbeeld Noord-Nederland."))

    def service_data(self) -> dict:
        data = self.data_for_service("name", "timezone", "capacity", "place_unit",
                                     "max_per_organisation", "eligibility",
                                     "requires_approval", "coordinator_email", "region")
        for name in ("registration_opens_at", "registration_closes_at"):
            data[name] = _aware(self._fields[name].data, self.timezone.data, name)
        return data

    def load_window(self, edition) -> None:
        for name in ("registration_opens_at", "registration_closes_at"):
            moment = getattr(edition, name)
            self._fields[name].data = (to_local(moment, edition.timezone).replace(tzinfo=None)
                                       if moment else None)


def _aware(local: datetime | None, zone_name: str, field: str) -> datetime | None:
    """A datetime-local value, read in the edition's zone, as aware UTC."""
    if local is None:
        return None
    try:
        return to_utc(local.date(), local.time(), zone_name or "Europe/Amsterdam")
    except NonexistentLocalTime:
        raise InvalidInput(_l("Dit tijdstip bestaat niet door de overgang naar zomertijd."),
                           field) from None
    except ValueError:
        raise InvalidInput(_l("Onbekende tijdzone: %(zone)s.", zone=zone_name), "timezone") from None


class LongSelect(Select):
    """WTForms' select, its markup unchanged, each plain option written directly: a choice among
    the 1,000 participants of an edition otherwise costs half the page's time."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        return Markup(f'<option{" selected" if choice.selected else ""} '
                      f'value="{escape(choice.value)}">{escape(choice.label or choice.value)}</option>')


class ExtensionForm(Form):
    """A personal extension of a deadline: for one participant, or for a municipality."""

    who = SelectField(_l("Voor wie"), validators=[required()], validate_choice=False,
                      widget=LongSelect())
    due_date = DutchDateField(_l("Nieuwe datum"), validators=[required()])


class CopyEditionForm(Form):
    name = StringField(_l("Naam van de nieuwe editie"), validators=[required()])
    slug = StringField(_l("Korte naam (in webadressen)"), validators=[required()])
    first_date = DutchDateField(_l("Datum van de eerste sessie in de nieuwe editie"),
                                validators=[required()],
                                description=_l("Alle sessies en deadlines schuiven evenveel dagen "
                                               "op; de kloktijden blijven gelijk."))


MEETING_KINDS = choices(MeetingKind)
MEETING_MODES = choices(MeetingMode)


class MeetingContentForm(Form):
    title = StringField(_l("Titel"), validators=[required()])
    kind = SelectField(_l("Soort"), choices=MEETING_KINDS)
    mode = SelectField(_l("Vorm"), choices=MEETING_MODES)
    location = StringField(_l("Locatie"))
    online_url = URLField(_l("Link naar de sessie"), description=_l("Begint met https://"))
    description = TextAreaField(_l("Beschrijving"))
    coaching_notes = TextAreaField(_l("Coachingstekst"),
                                   description=_l("Wat de coachingsmail na de sessie zegt."))

    CONTENT = ("title", "kind", "mode", "location", "online_url", "description",
               "coaching_notes")


class MeetingTimeForm(Form):
    on_date = DutchDateField(_l("Datum"), validators=[required()])
    start = DutchTimeField(_l("Begintijd"), validators=[Optional()],
                           description=_l("Leeg laten als de tijd nog volgt."))
    end = DutchTimeField(_l("Eindtijd"), validators=[Optional()])


class MeetingForm(MeetingContentForm, MeetingTimeForm):
    """Planning a new session: what and when at once."""


class ConfirmForm(Form):
    """A button with a CSRF token (cancel, remove, release)."""


class MaterialForm(Form):
    title = StringField(_l("Titel"), validators=[required()])
    url = URLField(_l("Link"), description=_l("Een link, of upload hieronder een bestand."))
    upload = FileField(_l("Bestand"))


class DeadlineForm(Form):
    title = StringField(_l("Titel"), validators=[required()])
    description = TextAreaField(_l("Beschrijving"))
    due_date = DutchDateField(_l("Uiterste datum"), validators=[required()])
    due_time = DutchTimeField(_l("Tijdstip"), validators=[Optional()],
                              description=_l("Leeg laten voor het einde van de dag."))
    delivered_by = SelectField(_l("Wie levert op"), choices=choices(DeliveredBy))

    FIELDS = ("title", "description", "due_date", "due_time", "delivered_by")


class CsvImportForm(Form):
    upload = FileField(_l("CSV-bestand"))
    #: The checked CSV text, sent back with the "import" button after a clean preview.
    content = TextAreaField(_l("Inhoud"))


class CoordinatorForm(Form):
    email = EmailField(_l("E-mailadres"), validators=[required()])
    name = StringField(_l("Naam"), validators=[required()])
    organiser = SelectField(_l("Organisator"), coerce=int)
    is_admin = BooleanField(_l("Beheerder (ziet alle organisatoren)"))
    password = PasswordField(_l("Wachtwoord"), validators=[required()],
                             description=_l("Minstens 12 tekens."))
