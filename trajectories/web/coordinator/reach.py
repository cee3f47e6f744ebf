"""The reach report under /beheer/bereik: municipalities that took part, delivered and completed,
per province, Global Goal and year, with charts, a table and CSV/XLSX downloads."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from trajectories.core.errors import InvalidInput
from trajectories.reach import charts, exports, queries
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organiser():
    """The coordinator's organiser; an admin picks one (`organisator`), the first by default."""
    if current_user.organiser is not None and not current_user.is_admin:
        return current_user.organiser
    organisers = access.visible_organisers()
    if not organisers:
        abort(404)
    chosen = whole_number(request.args.get("organisator"))
    return next((o for o in organisers if o.id == chosen), organisers[0])


def _report():
    """(organiser, tracks, report or None, error or None) for the request's filters."""
    s = db_session()
    organiser = _organiser()
    tracks = queries.tracks_of(s, organiser)
    try:
        filters = queries.parse_filters(request.args, tracks)
    except InvalidInput as exc:
        return organiser, tracks, None, exc
    return organiser, tracks, queries.report(s, organiser, filters, tracks,
                                             str(get_locale())), None


def _filters_text(report) -> str:
    f = report.filters
    parts = [next(t.title for t in report.tracks if t.id == f.track_id)] if f.track_id else [
        _("alle leertrajecten")]
    if f.year_from or f.year_to:
        parts.append(f"{f.year_from or '…'}–{f.year_to or '…'}")
    else:
        parts.append(_("alle jaren"))
    return ", ".join(parts)


@bp.get("/bereik")
def reach():
    organiser, tracks, report, error = _report()
    chart_args = {}
    if report is not None:
        chart_args = dict(
            province_chart=charts.province_bars(
                report.provinces, _("Gemeenten per provincie (%(organiser)s)",
                                    organiser=organiser.name)),
            year_chart=charts.year_lines(
                report.years, _("Gemeenten per jaar (%(organiser)s)", organiser=organiser.name)),
            filters_text=_filters_text(report))
    return render_template("coordinator/reach.html", organiser=organiser, tracks=tracks,
                           report=report, error=error, args=request.args,
                           organisers=access.visible_organisers() if current_user.is_admin
                           else [], series=charts.series_labels(),
                           **chart_args), 200 if error is None else 400


def _download(kind: str):
    organiser, _tracks, report, error = _report()
    if error is not None:
        return render_template("coordinator/reach.html", organiser=organiser, tracks=_tracks,
                               report=None, error=error, args=request.args, organisers=[],
                               series=charts.series_labels()), 400
    name = f"bereik-{organiser.slug}"
    if kind == "csv":
        body, mimetype = exports.csv_bytes(report), "text/csv; charset=utf-8"
    else:
        body, mimetype = exports.xlsx_bytes(report, _filters_text(report)), XLSX
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})


@bp.get("/bereik.csv")
def reach_csv():
    return _download("csv")


@bp.get("/bereik.xlsx")
def reach_xlsx():
    return _download("xlsx")
