"""Messages of an edition: the outbox (held, queued, sent, failed) with a preview of each mail,
hold/release and the review step, retry, a one-off message, and the schedule of what goes out."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from trajectories.mail import queries as mail
from trajectories.mail import services as messages
from trajectories.mail.models import MailKind, MailStatus, OutboxMessage, settings_for
from trajectories.mail.render import row_content
from trajectories.people import places
from trajectories.scheduler import overview, plan
from trajectories.scheduler.models import SkipReason
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import (
    Form,
    confirmed,
    required,
    save,
    status_code,
)

PAGE = 100
STATUS_LABELS = {status: status.label for status in (MailStatus.HELD, MailStatus.QUEUED,
                  MailStatus.SENDING, MailStatus.SENT, MailStatus.FAILED)}
KIND_LABELS = {
    **{kind: kind.label for kind in MailKind},
    "public_confirm": _l("bevestiging van een inschrijving"),
    "public_signin": _l("inloglink"), "public_checkin": _l("check-in-link"),
    "public_aw_received": _l("nominatie ontvangen"), "public_aw_outcome": _l("uitslag van de jury"),
    "public_admitted": _l("toegelaten"),
    "public_applied": _l("aanmelding ontvangen"), "public_waitlisted": _l("wachtlijst"),
    "public_mk_confirm": _l("bevestiging van een voorstel voor de Menukaart"),
    "public_mk_consent": _l("toestemming voor de Menukaart"),
    "public_mk_outcome": _l("besluit over een voorstel voor de Menukaart"),
}


class MailSettingsForm(Form):
    hold = BooleanField(_l("Alle mail van deze editie vasthouden"))
    review_coaching = BooleanField(_l("Coachingsmails eerst nakijken (als concept vasthouden)"))
    reminder_days = StringField(_l("Herinneringen aan een sessie, dagen vooraf"),
                                description=_l("Bijvoorbeeld 7, 1."))
    nudge_days = StringField(_l("Herinneringen aan een deadline, dagen vooraf"),
                             description=_l("Bijvoorbeeld 14, 3, 0, -2 (negatief: na de "
                                            "deadline, voor wie nog niets inleverde)."))
    send_hour = IntegerField(_l("Uur waarop herinneringen aan deadlines weggaan"),
                             validators=[Optional(), NumberRange(
                                 min=0, max=23, message=_l("Kies een uur van 0 tot en met 23."))])
    coaching_delay_hours = IntegerField(_l("Coachingsmail, uren na afloop van een sessie"),
                                        validators=[Optional()],
                                        description=_l("Leeg: geen coachingsmail."))

    def load(self, settings) -> None:
        self.reminder_days.data = ", ".join(str(d) for d in settings.reminder_days)
        self.nudge_days.data = ", ".join(str(d) for d in settings.nudge_days)
        self.send_hour.data = settings.send_hour
        self.coaching_delay_hours.data = settings.coaching_delay_hours


class OneOffForm(Form):
    group = SelectField(_l("Aan"), choices=[
        ("admitted", _l("Toegelaten deelnemers")),
        ("active", _l("Alle ingeschrevenen (ook aanmeldingen en wachtlijst)"))])
    subject = StringField(_l("Onderwerp"), validators=[required()])
    body = TextAreaField(_l("Bericht"), validators=[required()],
                         description=_l("Begint na 'Beste <naam>,'. Een lege regel maakt een "
                                        "nieuwe alinea."))


def _message(message_id: int) -> tuple[OutboxMessage, object, object]:
    row = db_session().get(OutboxMessage, message_id)
    if row is None or row.edition_id is None:
        abort(404)
    edition, track = access.edition(row.edition_id)
    return row, edition, track


@bp.route("/edities/<int:edition_id>/berichten", methods=["GET", "POST"])
def outbox(edition_id: int):
    edition, track = access.edition(edition_id)
    s = db_session()
    current = settings_for(s, edition.id)
    form = MailSettingsForm(obj=current)
    if request.method == "GET":
        form.load(current)
    saved = save(form, lambda: messages.set_mail_settings(
                     s, edition, hold=form.hold.data, review_coaching=form.review_coaching.data,
                     reminder_days=form.reminder_days.data or [],
                     nudge_days=form.nudge_days.data or [],
                     send_hour=current.send_hour if form.send_hour.data is None
                     else form.send_hour.data,
                     coaching_delay_hours=form.coaching_delay_hours.data),
                 _("Instellingen voor mail opgeslagen."),
                 url_for("coordinator.outbox", edition_id=edition.id))
    if saved:
        return saved
    status = request.args.get("status", "")
    rows = mail.outbox(s, edition.id, status if status in STATUS_LABELS else None, limit=PAGE)
    return render_template("coordinator/outbox.html", edition=edition, track=track, rows=rows,
                           counts=mail.status_counts(s, edition.id), labels=STATUS_LABELS,
                           kinds=KIND_LABELS, status=status, form=form,
                           settings=current), status_code(form)


@bp.post("/edities/<int:edition_id>/berichten/vrijgeven")
def release(edition_id: int):
    edition, _track = access.edition(edition_id)
    ids = None if request.form.get("all") else [
        n for n in map(whole_number, request.form.getlist("selected")) if n is not None]
    return confirmed(lambda: messages.release_mail(db_session(), edition, ids),
                     lambda n: ngettext("%(num)s mail vrijgegeven.", "%(num)s mails vrijgegeven.", n),
                     url_for("coordinator.outbox", edition_id=edition.id, status="held"))


@bp.get("/berichten/<int:message_id>")
def message(message_id: int):
    row, edition, track = _message(message_id)
    _subject, text, html = row_content(db_session(), row, current_app.config["SETTINGS"])
    return render_template("coordinator/message.html", row=row, edition=edition, track=track,
                           labels=STATUS_LABELS, text=text, html=html)


@bp.get("/berichten/<int:message_id>/html")
def message_html(message_id: int):
    """The HTML part as sent, in a page that may run nothing and load nothing."""
    row, _edition, _track = _message(message_id)
    _subject, _text, html = row_content(db_session(), row, current_app.config["SETTINGS"])
    response = Response(html or "", mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
    return response


@bp.post("/berichten/<int:message_id>/opnieuw")
def retry(message_id: int):
    row, edition, _track = _message(message_id)
    return confirmed(lambda: messages.retry_mail(db_session(), row),
                     _("De mail staat weer in de wachtrij."),
                     url_for("coordinator.message", message_id=row.id))


@bp.route("/edities/<int:edition_id>/berichten/nieuw", methods=["GET", "POST"])
def one_off(edition_id: int):
    edition, track = access.edition(edition_id)
    s = db_session()
    form = OneOffForm()
    saved = save(form, lambda: messages.send_one_off(s, edition, subject=form.subject.data,
                                                     body=form.body.data, group=form.group.data),
                 lambda n: ngettext("Bericht klaargezet voor %(num)s ontvanger.",
                                    "Bericht klaargezet voor %(num)s ontvangers.", n),
                 url_for("coordinator.outbox", edition_id=edition.id))
    if saved:
        return saved
    counts = {group: messages.recipient_count(s, edition, group) for group in messages.RECIPIENTS}
    teams = {group: places.teams_among(s, messages.recipient_ids(edition, group))
             for group in messages.RECIPIENTS}
    return render_template("coordinator/one_off.html", edition=edition, track=track, form=form,
                           counts=counts, teams=teams), status_code(form)


#: What each kind of planned moment sends.
MOMENT_LABELS = {
    "reminder": _l("Herinnering sessie"), "coaching": _l("Coachingsmail"),
    "nudge": _l("Herinnering deadline"), "overdue": _l("Deadline verstreken"),
    "digest": _l("Weekoverzicht aan de coördinator"), "welcome": _l("Welkomstmail"),
    "invite": _l("Uitnodiging voor een sessie"), "update": _l("Wijziging van een sessie"),
    "cancel": _l("Afzegging van een sessie"),
    "evaluation": _l("Evaluatie van de editie"),
    "evaluation_reminder": _l("Herinnering aan de evaluatie"),
    "completion": _l("Afronding: regels toepassen, deelnamebewijzen mailen"),
}
SKIP_LABELS = {
    SkipReason.TOO_LATE: _l("Te laat: de planner draaide niet toen het moment kwam, en daarna "
                            "had de mail geen zin meer."),
    plan.PAST_WHEN_PLANNED: _l("Al voorbij toen het werd gepland."),
    plan.EDITION_OVER: _l("De editie was al voorbij: geschiedenis stuurt niets."),
}


@bp.get("/edities/<int:edition_id>/berichtenplanning")
def mail_schedule(edition_id: int):
    """The edition's plan as the scheduler has it: the moments ahead, and what it did with the
    moments behind (due, fired, how many mails, or why it skipped one)."""
    edition, track = access.edition(edition_id)
    s = db_session()
    return render_template("coordinator/mail_schedule.html", edition=edition, track=track,
                           planned=overview.planned(s, edition.id),
                           history=overview.history(s, edition.id),
                           labels=MOMENT_LABELS, skip_labels=SKIP_LABELS,
                           settings=settings_for(s, edition.id))

