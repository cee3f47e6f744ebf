"""An edition's feedback for its coordinator: per session and for the evaluation, counts,
averages, distributions (a small chart with the numbers in a table) and comments, never who;
the coordinator's own evaluation questions; the results as CSV."""

from __future__ import annotations

from flask import Response, abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField

from trajectories.core.models import choices
from trajectories.feedback import queries, services
from trajectories.feedback.models import SCORES, EvaluationQuestion, QuestionKind
from trajectories.people import imports
from trajectories.web import db_session
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import ConfirmForm, Form, confirmed, save, status_code


class QuestionForm(Form):
    wording = StringField(_l("Vraag"), description=_l("Bijvoorbeeld: Welk onderdeel gebruik je "
                                                      "al in je eigen gemeente?"))
    kind = SelectField(_l("Soort antwoord"), choices=choices(QuestionKind))


def _results_page(edition, track, form):
    s = db_session()
    return render_template("coordinator/feedback.html", edition=edition, track=track, form=form,
                           sessions=queries.session_results(s, edition.id),
                           evaluation=queries.evaluation_results(s, edition.id),
                           confirm=ConfirmForm(), scores=SCORES,
                           min_answers=queries.MIN_ANSWERS), status_code(form)


@bp.route("/edities/<int:edition_id>/feedback", methods=["GET", "POST"])
def feedback_results(edition_id: int):
    """The results, and the form that adds an evaluation question (posted here)."""
    edition, track = access.edition(edition_id)
    form = QuestionForm()
    saved = save(form, lambda: services.add_question(db_session(), edition,
                                                     wording=form.wording.data,
                                                     kind=form.kind.data),
                 _("Vraag toegevoegd aan de evaluatie."),
                 url_for("coordinator.feedback_results", edition_id=edition.id))
    return saved or _results_page(edition, track, form)


@bp.post("/evaluatievragen/<int:question_id>/verwijderen")
def remove_evaluation_question(question_id: int):
    question = db_session().get(EvaluationQuestion, question_id)
    if question is None:
        abort(404)
    edition, _track = access.edition(question.edition_id)  # another organiser's: 404
    return confirmed(lambda: services.remove_question(db_session(), question),
                     _("Vraag verwijderd."),
                     url_for("coordinator.feedback_results", edition_id=edition.id))


def _row(part: str, about: str, when: str, scores: queries.Scores, yes="", no="",
         withheld: int = 0) -> list:
    """One result line; a withheld result tells only how many answered."""
    if withheld:
        return [part, about, when, withheld, *[""] * 8, _("te weinig antwoorden om te tonen")]
    average = f"{scores.average:.1f}".replace(".", ",") if scores.average is not None else ""
    return [part, about, when, scores.total, average,
            *(scores.counts[s] for s in SCORES), yes, no, ""]


@bp.get("/edities/<int:edition_id>/feedback.csv")
def feedback_export(edition_id: int):
    """The results as CSV: one line per session and question (counts, average, distribution),
    one per comment; no names, no dates of answers."""
    edition, track = access.edition(edition_id)
    s = db_session()
    rows = []
    for result in queries.session_results(s, edition.id):
        title, day = result.meeting.title, result.meeting.on_date.isoformat()
        rows.append(_row(_("sessie"), title, day, result.scores, withheld=result.withheld))
        rows += [[_("opmerking"), title, day, *[""] * 9, comment] for comment in result.comments]
    evaluation = queries.evaluation_results(s, edition.id)
    rows.append(_row(_("evaluatie"), _("Hoe nuttig was het leertraject als geheel?"), "",
                     evaluation.usefulness, withheld=evaluation.withheld))
    if not evaluation.withheld:
        rows.append([_("evaluatie"), _("Zou je het leertraject aanraden aan een collega?"), "",
                     evaluation.recommend_yes + evaluation.recommend_no, "", *[""] * 5,
                     evaluation.recommend_yes, evaluation.recommend_no, ""])
    rows += [[_("opmerking"), _("Wat kan beter?"), "", *[""] * 9, text]
             for text in evaluation.improve]
    for result in evaluation.questions:
        if result.question.kind == QuestionKind.SCALE and not evaluation.withheld:
            rows.append(_row(_("evaluatie"), result.question.text, "", result.scores))
        rows += [[_("opmerking"), result.question.text, "", *[""] * 9, text]
                 for text in result.texts]
    header = [_("onderdeel"), _("sessie of vraag"), _("datum"), _("antwoorden"),
              _("gemiddelde"), "1", "2", "3", "4", "5", _("ja"), _("nee"), _("tekst")]
    name = f"{track.slug}-{edition.slug}-feedback.csv"
    return Response(imports.to_csv(header, rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

