"""The pages a participant reaches from a mail's signed link: the score of a session (opening
the link records it) with an optional comment, and the edition's evaluation.

No sign-in: the link is the key. A link of another session, a tampered or expired one is
refused with a Dutch message and stores nothing. The token never reaches the request log.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template, request

from trajectories.core.errors import InvalidInput
from trajectories.feedback import queries, services
from trajectories.feedback.models import QuestionKind
from trajectories.web import db_session

bp = Blueprint("feedback", __name__, url_prefix="/feedback")


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _refused(exc: InvalidInput):
    return render_template("feedback/refused.html", message=exc.message), 400


@bp.route("/sessie/<int:meeting_id>/<token>/<int:score>", methods=["GET"])
def session_score(meeting_id: int, token: str, score: int):
    """Opening one of the five links records that score (a HEAD, as some link checkers send,
    records nothing), then offers the comment field."""
    g.log_path = f"/feedback/sessie/{meeting_id}/<token>/{score}"
    s = db_session()
    try:
        if request.method == "HEAD":
            link, meeting = services.session_link(s, _secret(), meeting_id, token)
            answer = None
        else:
            answer = services.answer_session(s, _secret(), meeting_id, token, score)
            link, meeting = services.session_link(s, _secret(), meeting_id, token)
    except InvalidInput as exc:
        return _refused(exc)
    return render_template("feedback/session.html", meeting=meeting, token=token,
                           score=answer.score if answer else score,
                           comment=answer.comment if answer else "", saved=False)


@bp.post("/sessie/<int:meeting_id>/<token>")
def session_comment(meeting_id: int, token: str):
    g.log_path = f"/feedback/sessie/{meeting_id}/<token>"
    s = db_session()
    score, comment = request.form.get("score"), request.form.get("comment", "")
    try:
        answer = services.answer_session(s, _secret(), meeting_id, token, score, comment)
        _link, meeting = services.session_link(s, _secret(), meeting_id, token)
    except InvalidInput as exc:
        if exc.field is None:
            return _refused(exc)
        _link, meeting = services.session_link(s, _secret(), meeting_id, token)
        return render_template("feedback/session.html", meeting=meeting, token=token,
                               score=score, comment=comment, saved=False,
                               error=exc.message, error_field=exc.field), 400
    return render_template("feedback/session.html", meeting=meeting, token=token,
                           score=answer.score, comment=answer.comment, saved=True)


def _evaluation_page(edition, token, values, *, saved=False, error=None, status=200):
    return render_template("feedback/evaluation.html", edition=edition, token=token,
                           questions=queries.questions(db_session(), edition.id),
                           values=values, saved=saved, error=error,
                           scale_kind=QuestionKind.SCALE), status


@bp.route("/evaluatie/<int:edition_id>/<token>", methods=["GET", "POST"])
def evaluation(edition_id: int, token: str):
    # One rule for both methods: an id too big for the database then answers 404, not 405.
    if request.method == "POST":
        return evaluation_answer(edition_id, token)
    g.log_path = f"/feedback/evaluatie/{edition_id}/<token>"
    s = db_session()
    try:
        link, edition = services.evaluation_link(s, _secret(), edition_id, token)
    except InvalidInput as exc:
        return _refused(exc)
    row, answers = queries.own_evaluation(s, _secret(), edition.id, link.participant_id)
    values = {f"q{k}": v for k, v in answers.items()}
    if row is not None:
        values.update(usefulness=str(row.usefulness), improve=row.improve,
                      recommend="ja" if row.recommend else "nee")
    return _evaluation_page(edition, token, values)


def evaluation_answer(edition_id: int, token: str):
    g.log_path = f"/feedback/evaluatie/{edition_id}/<token>"
    s = db_session()
    form = request.form
    recommend = {"ja": True, "nee": False}.get(form.get("recommend", ""))
    answers = {}
    for key, value in form.items():
        number = key[1:] if key.startswith("q") else ""
        if number.isascii() and number.isdigit() and len(number) <= 9:
            answers[int(number)] = value
    try:
        services.answer_evaluation(s, _secret(), edition_id, token,
                                   usefulness=form.get("usefulness"), recommend=recommend,
                                   improve=form.get("improve", ""), answers=answers)
    except InvalidInput as exc:
        if exc.field is None:
            return _refused(exc)
        _link, edition = services.evaluation_link(s, _secret(), edition_id, token)
        return _evaluation_page(edition, token, dict(form), error=exc.message, status=400)
    _link, edition = services.evaluation_link(s, _secret(), edition_id, token)
    return _evaluation_page(edition, token, dict(form), saved=True)
