"""Completion on the coordinator's edition pages: the rules (form), who completed and why, an
override of one person with a reason, revoking a certificate; attendance per session and per
participant with a chart; the check-in screen (a rotating QR code) and the sign-in list (PDF)
of a session."""

from __future__ import annotations

from flask import abort, current_app, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from segno import make as make_qr
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange

from trajectories.completion import checkin, pdf, queries
from trajectories.completion import services as completion
from trajectories.completion.models import Certificate, MinimumUnit, rules_for
from trajectories.core.clock import utcnow
from trajectories.core.models import choices
from trajectories.schedule.models import MeetingMode
from trajectories.web import db_session
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import Form, confirmed, required, save, status_code


class RulesForm(Form):
    minimum = IntegerField(_l("Minimaal bijgewoond"), validators=[
        required(), NumberRange(min=0, message=_l("Vul een heel getal in, 0 of meer."))],
        description=_l("Een aantal sessies, of een percentage van de sessies die doorgaan."))
    unit = SelectField(_l("Eenheid"), choices=[], validators=[required()])
    deadlines_required = BooleanField(_l("Elke deadline ingeleverd (gemeentedeadlines: door "
                                         "het team van de gemeente)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = choices(MinimumUnit)


class OverrideForm(Form):
    completed = SelectField(_l("Besluit"), choices=[("1", _l("Afgerond")),
                                                    ("0", _l("Niet afgerond"))])
    reason = StringField(_l("Reden"), validators=[required()])


class RevokeForm(Form):
    reason = StringField(_l("Reden"), validators=[required()])


def _page(edition, track, form, status: int = 200):
    s = db_session()
    sessions = queries.attendance_by_session(s, edition.id)
    return render_template(
        "completion/coordinator.html", edition=edition, track=track, form=form,
        rules=rules_for(s, edition.id), rows=queries.completion_rows(s, edition.id),
        sessions=sessions, chart=attendance_chart(sessions),
        override_form=OverrideForm(formdata=None), revoke_form=RevokeForm(formdata=None),
    ), status


@bp.route("/edities/<int:edition_id>/afronding", methods=["GET", "POST"])
def completion_page(edition_id: int):
    edition, track = access.edition(edition_id)
    if not track.completes:
        abort(404)  # a regional meeting or an award round is not completed
    rules = rules_for(db_session(), edition.id)
    form = RulesForm(obj=rules)
    saved = save(form, lambda: completion.save_rules(
        db_session(), edition, minimum=form.minimum.data, unit=form.unit.data,
        deadlines_required=form.deadlines_required.data),
        _("De afrondingsregels zijn opgeslagen."),
        url_for("coordinator.completion_page", edition_id=edition.id))
    return saved or _page(edition, track, form, status_code(form))


@bp.post("/inschrijvingen/<int:enrollment_id>/afronding")
def override_completion(enrollment_id: int):
    enrollment, edition, track = access.enrollment(enrollment_id)
    form = OverrideForm()
    to = url_for("coordinator.completion_page", edition_id=edition.id)
    if not form.validate_on_submit():
        return _page(edition, track, RulesForm(obj=rules_for(db_session(), edition.id)), 400)
    return confirmed(lambda: completion.override(
        db_session(), enrollment, current_app.config["SETTINGS"],
        completed=form.completed.data == "1", reason=form.reason.data),
        _("Het besluit is opgeslagen."), to)


@bp.post("/bewijzen/<int:certificate_id>/intrekken")
def revoke_certificate(certificate_id: int):
    certificate = db_session().get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    edition, _track = access.edition(certificate.edition_id)
    form = RevokeForm()
    return confirmed(lambda: completion.revoke_certificate(db_session(), certificate,
                                                           form.reason.data or ""),
                     _("Het deelnamebewijs is ingetrokken: de controlepagina wijst het af."),
                     url_for("coordinator.completion_page", edition_id=edition.id))


def attendance_chart(rows) -> Markup:
    """A bar per session: how many were present (SVG, with a title per bar for screen readers)."""
    if not rows:
        return Markup("")
    top = max([r.recorded for r in rows] + [r.present for r in rows] + [1])
    width, height, gap = 36, 120, 12
    bars = []
    for i, row in enumerate(rows):
        h = round(height * row.present / top)
        x = 30 + i * (width + gap)
        label = _("%(title)s: %(present)s aanwezig", title=row.meeting.title, present=row.present)
        bars.append(
            f'<g><title>{Markup.escape(label)}</title>'
            f'<rect x="{x}" y="{10 + height - h}" width="{width}" height="{h}" fill="#1e4678"/>'
            f'<text x="{x + width / 2}" y="{height + 26}" text-anchor="middle" '
            f'font-size="11">{i + 1}</text>'
            f'<text x="{x + width / 2}" y="{max(8 + height - h, 10) + 12}" text-anchor="middle" '
            f'font-size="11" fill="{"#fff" if h > 16 else "#000"}">{row.present}</text></g>')
    total = 30 + len(rows) * (width + gap)
    return Markup(
        f'<svg class="attendance-chart" role="img" viewBox="0 0 {total} {height + 34}" '
        f'width="{total}" height="{height + 34}" aria-label="{Markup.escape(_("Aanwezigheid per sessie"))}">'
        f'<line x1="26" y1="{10 + height}" x2="{total}" y2="{10 + height}" stroke="#666"/>'
        f'{"".join(bars)}</svg>')


# --- a session: check-in screen and sign-in list ---------------------------------------------------


@bp.get("/sessies/<int:meeting_id>/inchecken")
def checkin_screen(meeting_id: int):
    meeting, edition, track = access.meeting(meeting_id)
    now = utcnow()
    settings = current_app.config["SETTINGS"]
    token = checkin.checkin_token(settings.secret_key, meeting.id, now)
    url = f"{settings.base_url}{url_for('selfservice.checkin_page', meeting_id=meeting.id, t=token)}"
    qr = Markup(make_qr(url, error="m").svg_inline(scale=8, omitsize=True, title=_("QR-code om in te checken")))
    return render_template("completion/checkin_screen.html", edition=edition, track=track,
                           meeting=meeting, url=url, qr=qr,
                           refusal=checkin.refusal(meeting, edition.timezone, now),
                           present=len(queries.present_ids(db_session(), meeting.id)),
                           refresh=checkin.WINDOW_SECONDS // 2)


@bp.get("/sessies/<int:meeting_id>/presentielijst.pdf")
def sign_in_list(meeting_id: int):
    meeting, edition, track = access.meeting(meeting_id)
    if meeting.mode not in (MeetingMode.ON_SITE, MeetingMode.HYBRID):
        abort(404)
    body = pdf.sign_in_pdf(queries.sign_in_rows(db_session(), edition.id),
                           language=str(get_locale() or "nl"), track=track, edition=edition,
                           meeting=meeting)
    return current_app.response_class(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="presentielijst-{meeting.id}.pdf"',
        "Cache-Control": "no-store"})
