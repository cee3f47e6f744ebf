"""My certificates (the PDF, in my language) and checking in at a session by its QR link."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trajectories.catalogue.models import Edition, Track
from trajectories.completion import checkin, pdf, queries
from trajectories.completion.models import Certificate
from trajectories.completion.services import verification_url
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.schedule.models import Meeting
from trajectories.web import db_session
from trajectories.web.security import limiter
from trajectories.web.selfservice.blueprint import (
    bp,
    current_participant,
    email_key,
    link_from_mail,
    message,
    signed_in,
)


@bp.get("/mijn/bewijs/<int:certificate_id>.pdf")
@signed_in
def certificate_pdf(certificate_id: int):
    """My own certificate only; someone else's, or a revoked one, answers 404."""
    s = db_session()
    certificate = s.get(Certificate, certificate_id)
    view = certificate and queries.valid_certificate(s, certificate.code)
    if not view or view.participant.id != current_participant().id:
        abort(404)
    body = pdf.certificate_pdf(view, current_participant().language,
                               verification_url(current_app.config["SETTINGS"], certificate.code))
    name = "deelnamebewijs" if current_participant().language != "en" else "certificate"
    return current_app.response_class(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}-{view.track.slug}-{view.edition.slug}.pdf"',
        "Cache-Control": "no-store"})


@bp.route("/inchecken/<int:meeting_id>", methods=["GET", "POST"])
def checkin_page(meeting_id: int):
    """GET shows the session and one button (a link opened by a scanner changes nothing);
    POST checks the signed-in participant in. Not signed in: a form that mails a check-in link
    (`checkin_by_mail`)."""
    s = db_session()
    meeting, edition = _meeting(meeting_id)
    token = request.values.get("t", "")[:64]
    participant = current_participant()
    settings = current_app.config["SETTINGS"]
    refusal = checkin.refusal(meeting, edition.timezone, utcnow())
    if refusal is None and not checkin.token_valid(settings.secret_key, meeting.id, token, utcnow()):
        refusal = str(checkin.STALE_LINK)
    if request.method == "POST" and participant is not None and refusal is None:
        try:
            checkin.check_in(s, meeting, participant, token, secret_key=settings.secret_key,
                             zone_name=edition.timezone)
        except InvalidInput as exc:
            refusal = exc.message
        else:
            return redirect(url_for("selfservice.checked_in", meeting_id=meeting.id))
    if refusal is not None:
        return message(_("Inchecken lukt niet"), refusal, 409)
    return render_template("completion/checkin.html", meeting=meeting, edition=edition,
                           track=s.get(Track, edition.track_id), participant=participant,
                           token=token)


@bp.post("/inchecken/<int:meeting_id>/per-mail")
@limiter.limit("20 per hour")
@limiter.limit("5 per hour", key_func=email_key)
def checkin_by_mail(meeting_id: int):
    """Not signed in: the check-in page's form mails a link that checks me in at once."""
    meeting, edition = _meeting(meeting_id)
    settings = current_app.config["SETTINGS"]
    email = request.form.get("email", "")
    try:
        checkin.request_link(
            db_session(), meeting, request.form.get("t", "")[:64], email,
            secret_key=settings.secret_key, zone_name=edition.timezone,
            link_for=lambda token: settings.base_url + url_for(
                "selfservice.checkin_link", meeting_id=meeting.id, t=token))
    except InvalidInput as exc:
        return message(_("Inchecken lukt niet"), exc.message, 409)
    return message(_("Kijk in je mailbox"), _(
        "Als %(email)s deelneemt aan deze sessie, heb je nu een e-mail met een link. Open hem "
        "op dit toestel: hij logt je in en checkt je meteen in.",
        email=email.strip().lower()))


@bp.route("/inchecken/<int:meeting_id>/link", methods=["GET", "POST"])
def checkin_link(meeting_id: int):
    """The mailed check-in link: GET shows one button, POST checks in and signs in."""
    meeting, edition = _meeting(meeting_id)
    secret_key = current_app.config["SETTINGS"].secret_key
    return link_from_mail(
        "completion/checkin_link.html",
        lambda token: (checkin.check_in_by_link(db_session(), meeting, token,
                                                secret_key=secret_key,
                                                zone_name=edition.timezone),
                       url_for("selfservice.checked_in", meeting_id=meeting.id)),
        _("Inchecken lukt niet"))


def _meeting(meeting_id: int) -> tuple[Meeting, Edition]:
    meeting = db_session().get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting, db_session().get(Edition, meeting.edition_id)


@bp.get("/inchecken/<int:meeting_id>/gelukt")
@signed_in
def checked_in(meeting_id: int):
    meeting = db_session().get(Meeting, meeting_id)
    if meeting is None or current_participant().id not in queries.present_ids(db_session(),
                                                                                meeting.id):
        abort(404)
    return message(_("Je bent ingecheckt"),
                   _("Welkom bij %(title)s. Je aanwezigheid is genoteerd.", title=meeting.title))
