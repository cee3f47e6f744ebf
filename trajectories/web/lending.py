"""Lending in the browser: the objects (/uitlenen/), an object's page (when it is where, and
the request form), confirming a request and accepting another proposed period by the links in
the mails, and the object's feed (/feeds/uitlenen/<slug>.ics, no contact details)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from trajectories.catalogue.models import Organiser
from trajectories.core.clock import local_today
from trajectories.core.errors import InvalidInput
from trajectories.lending import calendar, queries, reminders
from trajectories.lending import services as lending
from trajectories.lending.models import LendableObject
from trajectories.people.models import Participant
from trajectories.web import db_session
from trajectories.web.public import municipality_groups
from trajectories.web.security import limiter
from trajectories.web.selfservice.blueprint import email_key, link_from_mail, message

bp = Blueprint("lending", __name__)


def _object(slug: str) -> LendableObject:
    obj = queries.by_slug(db_session(), slug)
    if obj is None:
        abort(404)
    return obj


@bp.get("/uitlenen/")
def objects():
    s = db_session()
    rows = [(obj, s.get(Organiser, obj.organiser_id)) for obj in queries.objects(s)]
    return render_template("lending/objects.html", rows=rows)


def _page(obj: LendableObject, form, error=None):
    s = db_session()
    organiser = s.get(Organiser, obj.organiser_id)
    today = local_today(reminders.zone_of(organiser))
    loans = queries.public_loans(s, obj.id)
    return render_template(
        "lending/object.html", obj=obj, organiser=organiser, form=form, error=error,
        groups=municipality_groups(), today=today, confirmed=request.args.get("bevestigd"),
        ahead=[r for r in loans if r[0].ends_on >= today],
        held=[r for r in loans if r[0].ends_on < today][::-1]), 200 if error is None else 422


@bp.route("/uitlenen/<slug>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"], key_func=email_key)
def object_page(slug: str):
    obj = _object(slug)
    if request.method == "GET":
        return _page(obj, {})
    form = request.form
    if form.get("website"):  # the honeypot: answer as if all went well, send nothing
        return _check_mail(form.get("email", ""))
    try:
        lending.request_loan(db_session(), obj.id, form.to_dict())
    except InvalidInput as exc:
        return _page(obj, form, exc)
    return _check_mail(form.get("email", ""))


def _check_mail(email: str):
    return message(_("Kijk in je mailbox"),
                   _("We hebben een e-mail gestuurd naar %(email)s. Klik op de link in die "
                     "e-mail om je aanvraag te bevestigen; pas dan komt ze in de wachtrij.",
                     email=email.strip().lower()))


@bp.route("/uitlenen/bevestigen", methods=["GET", "POST"])
def confirm():
    def confirmed(token):
        participant, loan = lending.confirm_request(db_session(), token)
        obj = db_session().get(LendableObject, loan.object_id)
        # (Signing in starts a fresh session: the page says it, not a flashed message.)
        return participant, url_for("lending.object_page", slug=obj.slug, bevestigd="aanvraag")

    return link_from_mail("lending/confirm.html", confirmed, _("Bevestigen lukt niet"))


@bp.route("/uitlenen/voorstel", methods=["GET", "POST"])
def accept():
    def accepted(token):
        loan = lending.accept_proposal(db_session(), token)
        obj = db_session().get(LendableObject, loan.object_id)
        return db_session().get(Participant, loan.participant_id), \
            url_for("lending.object_page", slug=obj.slug, bevestigd="voorstel")

    return link_from_mail("lending/accept.html", accepted, _("Aannemen lukt niet"))


@bp.get("/feeds/uitlenen/<slug>.ics")
def feed(slug: str):
    obj = _object(slug)
    body = calendar.feed(obj, queries.public_loans(db_session(), obj.id, cancelled=True),
                         current_app.config["SETTINGS"].base_url)
    answer = Response(body, content_type="text/calendar; charset=utf-8",
                      headers={"Cache-Control": "public, max-age=300"})
    # A strong ETag of the body (its DTSTAMPs are the loans' own changes, so an unchanged
    # schedule has the same bytes): a calendar that asks again with it gets 304, no body.
    answer.add_etag()
    return answer.make_conditional(request)
