"""Registration (double opt-in) and the participant's own pages, "my trajectories", reached by
signed links from mail: no passwords for participants.

Links in mail open a page with one button that does the work (a POST): mail scanners such as
Microsoft Defender's Safe Links open every link in a mail, and a GET that used up a single-use
link would leave the participant with a dead one.
"""

from __future__ import annotations

import functools
import json
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlmodel import select

from trajectories.catalogue.models import Edition, Organiser, Track
from trajectories.catalogue.status import registration_open
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.reference import municipalities
from trajectories.feeds.tokens import rotate_feed_token
from trajectories.mail.outbox import PREFERENCE_LABELS, mail_preferences, set_mail_preference
from trajectories.people import privacy, registration, uploads
from trajectories.people import services as people
from trajectories.people.models import TAKING_PART, Enrollment, Participant, Submission
from trajectories.people.services import deadline_passed
from trajectories.schedule.models import Deadline, DeadlineExtension, Meeting
from trajectories.web import db_session, fresh_session, whole_number
from trajectories.web.public import track_entry
from trajectories.web.security import limiter

bp = Blueprint("selfservice", __name__)


# --- who is signed in ------------------------------------------------------------------------------
def current_participant() -> Participant | None:
    if "participant" not in g:
        participant = None
        pid = session.get("participant_id")
        if pid is not None:
            participant = db_session().get(Participant, pid)
            # Erased, or the address changed since sign-in: the session no longer counts.
            if participant is None or participant.email != session.get("participant_email"):
                participant = None
        g.participant = participant
    return g.participant


def signed_in(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_participant() is None:
            return redirect(url_for("selfservice.signin_request"))
        return view(*args, **kwargs)

    return wrapper


def _sign_in_session(participant: Participant) -> None:
    fresh_session()
    session["participant_id"] = participant.id
    session["participant_email"] = participant.email
    session.permanent = False


@bp.app_context_processor
def _participant_in_templates():
    return {"signed_in_participant": current_participant}


@bp.errorhandler(429)
def _too_many(_error):
    return render_template("selfservice/message.html", title=_("Even geduld"),
                           message=_("Je hebt dit formulier te vaak verstuurd. Probeer het over een "
                                     "uur opnieuw.")), 429


def _email_key() -> str:
    """Rate-limit key: the address typed in the form (so one address cannot be flooded)."""
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


# --- registration --------------------------------------------------------------------------------
def _edition_or_404(organiser_slug: str, track_slug: str, edition_slug: str):
    organiser, entry = track_entry(organiser_slug, track_slug)
    row = next((e for e in entry["editions"] if e["edition"].slug == edition_slug), None)
    if row is None:
        abort(404)
    return organiser, entry, row


def _municipality_groups():
    """Municipalities grouped by country and province, for <optgroup>s."""
    countries = {"NL": _("Nederland"), "BE": _("Vlaanderen")}
    groups: dict[str, list] = {}
    for m in municipalities():
        groups.setdefault(f"{countries[m.country]} — {m.province}", []).append(m)
    return sorted(groups.items())


@bp.route("/<organiser_slug>/<track_slug>/<edition_slug>/inschrijven", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=_email_key)
def register(organiser_slug: str, track_slug: str, edition_slug: str):
    organiser, entry, row = _edition_or_404(organiser_slug, track_slug, edition_slug)
    edition: Edition = row["edition"]
    error = None
    form = request.form
    if request.method == "POST":
        if form.get("website"):
            # The honeypot was filled in: a bot. Answer as if all went well; send nothing.
            return _render_check_mail(form.get("email", ""))
        try:
            registration.request_registration(db_session(), edition, form.to_dict())
            return _render_check_mail(form.get("email", ""))
        except InvalidInput as exc:
            error = exc
    is_open = registration_open(edition)
    full = row["places_left"] == 0  # registering puts them on the waiting list
    return render_template("selfservice/register.html", organiser=organiser, entry=entry,
                           row=row, edition=edition, is_open=is_open, full=full,
                           error=error, form=form, groups=_municipality_groups(),
                           other_kinds=registration.other_kinds(edition)), 200 if error is None else 422


def _render_check_mail(email: str):
    return render_template("selfservice/message.html", title=_("Kijk in je mailbox"),
                           message=_("We hebben een e-mail gestuurd naar %(email)s. Klik op de "
                                     "link in die e-mail om je inschrijving te bevestigen; pas "
                                     "dan telt ze.", email=email.strip().lower()))


@bp.route("/inschrijving/bevestigen", methods=["GET", "POST"])
def confirm():
    token = request.values.get("t", "")
    if request.method == "GET":
        return render_template("selfservice/confirm.html", token=token)
    try:
        enrollment = registration.confirm_registration(db_session(), token)
    except InvalidInput as exc:
        return render_template("selfservice/message.html", title=_("Bevestigen lukt niet"),
                               message=exc.message, signin_link=True), 400
    participant = db_session().get(Participant, enrollment.participant_id)
    _sign_in_session(participant)
    return redirect(url_for("selfservice.home", bevestigd=enrollment.edition_id))


# --- sign-in by link -------------------------------------------------------------------------------
@bp.route("/mijn/inloggen", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=_email_key)
def signin_request():
    error = None
    if request.method == "POST":
        try:
            registration.request_signin(db_session(), request.form.get("email", ""))
            return render_template(
                "selfservice/message.html", title=_("Kijk in je mailbox"),
                message=_("Als %(email)s bij ons bekend is, heb je nu een e-mail met een "
                          "inloglink. De link werkt één keer en %(m)s minuten lang.",
                          email=request.form.get("email", "").strip().lower(),
                          m=registration.RETENTION.signin_minutes))
        except InvalidInput as exc:
            error = exc
    return render_template("selfservice/signin.html", error=error,
                           email=request.form.get("email", "")), 200 if error is None else 422


@bp.route("/mijn/link", methods=["GET", "POST"])
def signin():
    token = request.values.get("t", "")
    if request.method == "GET":
        return render_template("selfservice/signin_link.html", token=token)
    try:
        participant = registration.sign_in(db_session(), token)
    except InvalidInput as exc:
        return render_template("selfservice/message.html", title=_("Inloggen lukt niet"),
                               message=exc.message, signin_link=True), 400
    _sign_in_session(participant)
    return redirect(url_for("selfservice.home"))


@bp.post("/mijn/uitloggen")
def signout():
    fresh_session()
    return redirect(url_for("public.catalogue"))


# --- my trajectories -------------------------------------------------------------------------------
@bp.get("/mijn/")
@signed_in
def home():
    return _home_page()


def _home_page(new_feed_token: str | None = None):
    return render_template("selfservice/home.html", participant=current_participant(),
                           confirmed=whole_number(request.args.get("bevestigd")),
                           new_feed_token=new_feed_token,
                           **overview(db_session(), current_participant()))


def overview(s, participant: Participant) -> dict:
    """My editions, my next sessions and my deadlines, in a fixed number of queries."""
    enrollments = list(s.exec(select(Enrollment).where(
        Enrollment.participant_id == participant.id).order_by(Enrollment.created_at)))
    editions = {c.id: c for c in s.exec(select(Edition).where(
        Edition.id.in_([e.edition_id for e in enrollments]), Edition.draft.is_(False)))}
    enrollments = [e for e in enrollments if e.edition_id in editions]  # drafts: not yet
    tracks = {t.id: t for t in s.exec(select(Track).where(
        Track.id.in_([c.track_id for c in editions.values()])))}
    organisers = {o.id: o for o in s.exec(select(Organiser).where(
        Organiser.id.in_([t.organiser_id for t in tracks.values()])))}
    taking_part = [e.edition_id for e in enrollments if e.status in TAKING_PART]
    today = utcnow().date()
    sessions = list(s.exec(select(Meeting).where(
        Meeting.edition_id.in_(taking_part), Meeting.on_date >= today - timedelta(days=1))
        .order_by(Meeting.on_date, Meeting.starts_at)))
    sessions = [m for m in sessions if (m.ends_at or m.starts_at) is None
                or (m.ends_at or m.starts_at) > utcnow()
                or m.on_date >= today][:10]
    deadlines = list(s.exec(select(Deadline).where(Deadline.edition_id.in_(taking_part))
                            .order_by(Deadline.due_date)))
    submissions = {sub.deadline_id: sub for sub in s.exec(select(Submission).where(
        Submission.participant_id == participant.id))}
    extensions = {x.deadline_id: x.due_date for x in s.exec(select(DeadlineExtension).where(
        DeadlineExtension.participant_id == participant.id))}
    my_deadlines = [{"deadline": d, "edition": editions[d.edition_id],
                     "track": tracks[editions[d.edition_id].track_id],
                     "due": extensions.get(d.id, d.due_date),
                     "passed": deadline_passed(d, extensions.get(d.id), editions[d.edition_id]),
                     "submission": submissions.get(d.id)} for d in deadlines]
    return {
        "editions": [{"enrollment": e, "edition": editions[e.edition_id],
                      "track": tracks[editions[e.edition_id].track_id],
                      "organiser": organisers[tracks[editions[e.edition_id].track_id].organiser_id]}
                     for e in enrollments],
        "sessions": [{"meeting": m, "edition": editions[m.edition_id],
                      "track": tracks[editions[m.edition_id].track_id]} for m in sessions],
        "deadlines": my_deadlines,
    }



def _my_enrollment(enrollment_id: int) -> Enrollment:
    enrollment = db_session().get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.participant_id != current_participant().id:
        abort(404)
    return enrollment


@bp.post("/mijn/inschrijving/<int:enrollment_id>/afmelden")
@signed_in
def withdraw(enrollment_id: int):
    enrollment = _my_enrollment(enrollment_id)
    try:
        people.withdraw(db_session(), enrollment)
        flash(_("Je bent afgemeld voor deze editie."), "success")
    except InvalidInput as exc:
        flash(exc.message, "error")
    return redirect(url_for("selfservice.home"))


# --- deliverables --------------------------------------------------------------------------------
def _deadline_for_me(deadline_id: int):
    s = db_session()
    deadline = s.get(Deadline, deadline_id)
    participant = current_participant()
    if deadline is None or not s.exec(select(Enrollment).where(
            Enrollment.edition_id == deadline.edition_id,
            Enrollment.participant_id == participant.id,
            Enrollment.status.in_(TAKING_PART))).first():
        abort(404)
    return deadline


@bp.route("/mijn/deadline/<int:deadline_id>", methods=["GET", "POST"])
@signed_in
def deadline(deadline_id: int):
    deadline = _deadline_for_me(deadline_id)
    s = db_session()
    participant = current_participant()
    edition = s.get(Edition, deadline.edition_id)
    extension = s.get(DeadlineExtension, (deadline.id, participant.id))
    submission = s.exec(select(Submission).where(Submission.deadline_id == deadline.id,
                                                 Submission.participant_id == participant.id)).first()
    error = None
    if request.method == "POST":
        written = ""
        try:
            upload = uploads.check(request.files.get("file"), "file")
            file_path, file_name = (submission.file_path, submission.file_name) \
                if submission else ("", "")
            if upload is not None:
                written = uploads.store(upload, f"submissions/{deadline.id}")
                file_path, file_name = written, upload.name
            old_path = submission.file_path if submission else ""
            saved = people.submit(s, deadline, participant, text=request.form.get("text", ""),
                                  file_path=file_path, file_name=file_name)
            if old_path and old_path != saved.file_path:
                uploads.remove(old_path)
            flash(_("Ingeleverd, te laat.") if saved.late else _("Ingeleverd. Dank je wel!"),
                  "success")
            return redirect(url_for("selfservice.deadline", deadline_id=deadline.id))
        except InvalidInput as exc:
            uploads.remove(written)  # nothing kept of a refused hand-in
            error = exc
    passed = deadline_passed(deadline, extension.due_date if extension else None, edition)
    return render_template("selfservice/deadline.html", deadline=deadline, edition=edition,
                           track=s.get(Track, edition.track_id), submission=submission,
                           due=extension.due_date if extension else deadline.due_date,
                           passed=passed, error=error, form=request.form,
                           accept=uploads.ACCEPT, max_mb=uploads.MAX_BYTES // 1024 // 1024,
                           ), 200 if error is None else 422


@bp.errorhandler(413)
def _too_large(_error):
    return render_template("selfservice/message.html", title=_("Bestand te groot"),
                           message=_("Het bestand is te groot: hoogstens %(mb)s MB. Er is niets "
                                     "opgeslagen.", mb=uploads.MAX_BYTES // (1024 * 1024))), 413


@bp.get("/mijn/deadline/<int:deadline_id>/bestand")
@signed_in
def submission_file(deadline_id: int):
    deadline = _deadline_for_me(deadline_id)
    submission = db_session().exec(select(Submission).where(
        Submission.deadline_id == deadline.id,
        Submission.participant_id == current_participant().id)).first()
    path = uploads.resolve(submission.file_path) if submission else None
    if path is None:
        abort(404)
    return uploads.send(path, submission.file_name or path.name)


# --- my data ---------------------------------------------------------------------------------------
@bp.get("/mijn/gegevens.json")
@signed_in
def export():
    data = privacy.export(db_session(), current_participant())
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/mijn/wissen", methods=["GET", "POST"])
@signed_in
def erase():
    participant = current_participant()
    error = None
    if request.method == "POST":
        if request.form.get("confirm_email", "").strip().lower() != participant.email:
            error = InvalidInput(_("Typ je e-mailadres om te bevestigen dat je je account wilt "
                                   "wissen."), "confirm_email")
        else:
            for path in privacy.erase(db_session(), participant):
                uploads.remove(path)
            fresh_session()
            return render_template("selfservice/message.html", title=_("Je account is gewist"),
                                   message=_("Je naam en e-mailadres zijn verwijderd. Je krijgt "
                                             "geen e-mail meer van ons."))
    return render_template("selfservice/erase.html", participant=participant,
                           error=error), 200 if error is None else 422


@bp.route("/mijn/voorkeuren", methods=["GET", "POST"])
@signed_in
def preferences():
    s = db_session()
    participant = current_participant()
    if request.method == "POST":
        wanted = set(request.form.getlist("kind"))
        for kind, enabled in mail_preferences(s, participant).items():
            if (kind in wanted) != enabled:
                set_mail_preference(s, participant, kind, kind in wanted)
        flash(_("Je e-mailvoorkeuren zijn opgeslagen."), "success")
        return redirect(url_for("selfservice.preferences"))
    return render_template("selfservice/preferences.html",
                           preferences=mail_preferences(s, participant), labels=PREFERENCE_LABELS)


@bp.post("/mijn/agenda/nieuwe-link")
@signed_in
def rotate_feed():
    """The new link is shown in this response only: never in a cookie (signed, not encrypted),
    and only its hash is kept."""
    had_link = current_participant().feed_token_hash is not None
    token = rotate_feed_token(db_session(), current_participant())
    if had_link:
        flash(_("Je agenda heeft een nieuwe link. De oude link werkt niet meer: abonneer je "
                "opnieuw."), "success")
    else:
        flash(_("Je agenda-link is klaar: abonneer je hieronder."), "success")
    response = make_response(_home_page(new_feed_token=token))
    response.headers["Cache-Control"] = "no-store"  # a secret: not in any cache or history copy
    return response
