"""CSV import (preview first, all or nothing) and export of participants and organisations."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from trajectories.core.errors import InvalidInput
from trajectories.core.models import labels
from trajectories.people import imports, queries, uploads
from trajectories.web import db_session
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import CsvImportForm

#: What each CSV column holds: (header as typed in the file, required, meaning). The headers
#: are the file's format and stay Dutch; their meaning shows in the visitor's language.
PARTICIPANT_COLUMNS = (
    ("naam", True, _l("Naam van de deelnemer.")),
    ("e-mail", True, _l("E-mailadres; hier komen de uitnodigingen en herinneringen. Een adres "
                        "dat al bekend is, wordt hergebruikt.")),
    ("functie", False, _l("Functie, bijvoorbeeld beleidsadviseur.")),
    ("organisatiecode", False, _l("CBS-code van een Nederlandse gemeente (GM0363) of NIS-code "
                                  "van een Vlaamse (11001).")),
    ("taal", False, _l("Taal van de mails: nl of en; leeg is nl.")),
)
ORGANISATION_COLUMNS = (
    ("naam", True, _l("Naam van de organisatie.")),
    ("soort", True, _l("gemeente, provincie of anders.")),
    ("land", True, _l("NL of BE.")),
    ("code", False, _l("CBS- of NIS-code, als de organisatie er een heeft.")),
    ("provincie", False, _l("Provincie.")),
)


def _text_of(form: CsvImportForm) -> str:
    """The CSV from the upload, or (after a clean preview) from the hidden content field."""
    text = uploads.csv_text(form.upload.data, "upload")
    if text is not None:
        return text
    if form.content.data:
        return form.content.data
    raise InvalidInput(_("Kies een CSV-bestand."), "upload")


def _import_page(form, run, template_args: dict, done_url: str):
    result, text = None, ""
    if form.validate_on_submit():
        try:
            text = _text_of(form)
            confirm = bool(form.content.data) and not (form.upload.data and
                                                       form.upload.data.filename)
            result = run(text, dry_run=not confirm)
        except InvalidInput as exc:
            form.fail(exc)
        else:
            if result.imported:
                flash(ngettext("%(num)s rij geïmporteerd.", "%(num)s rijen geïmporteerd.",
                               len(result.rows)), "success")
                return redirect(done_url)
    status = 400 if (form.is_submitted() and form.errors) or (result and result.errors) else 200
    return render_template("coordinator/import.html", form=form, result=result, text=text,
                           **template_args), status


@bp.route("/edities/<int:edition_id>/importeren", methods=["GET", "POST"])
def participants_import(edition_id: int):
    edition, track = access.edition(edition_id)
    form = CsvImportForm()
    return _import_page(
        form, lambda text, dry_run: imports.import_participants(db_session(), edition, text,
                                                                dry_run=dry_run),
        dict(edition=edition, track=track, columns=imports.PARTICIPANT_COLUMNS,
             explained=PARTICIPANT_COLUMNS,
             heading=_("Deelnemers importeren")),
        url_for("coordinator.enrollments", edition_id=edition.id))


@bp.route("/organisaties/importeren", methods=["GET", "POST"])
def organisations_import():
    form = CsvImportForm()
    return _import_page(
        form, lambda text, dry_run: imports.import_organisations(db_session(), text,
                                                                 dry_run=dry_run),
        dict(edition=None, track=None, columns=imports.ORGANISATION_COLUMNS,
             explained=ORGANISATION_COLUMNS,
             heading=_("Organisaties importeren")),
        url_for("coordinator.organisations_import"))


@bp.get("/edities/<int:edition_id>/export.csv")
def participants_export(edition_id: int):
    edition, track = access.edition(edition_id)
    names = labels("EnrollmentStatus")
    rows = [[r.name, r.email, r.role, r.organisation or "", r.code or "", names[r.status],
             r.created_at.date().isoformat()] for r in queries.roster(db_session(), edition.id)]
    body = imports.to_csv([_("naam"), _("e-mail"), _("functie"), _("organisatie"),
                           _("organisatiecode"), _("status"), _("ingeschreven op")], rows)
    name = f"{track.slug}-{edition.slug}-deelnemers.csv"
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
