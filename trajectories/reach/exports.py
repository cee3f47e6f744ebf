"""The reach report as files: CSV (Excel-safe, as every CSV export here: `people.imports.to_csv`)
and an XLSX workbook (openpyxl) with a sheet per part."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from trajectories.people.imports import safe_cell, to_csv
from trajectories.reach.queries import Count, Report


def _share(count: Count) -> str:
    return "" if count.share is None else f"{count.share * 100:.1f}"


def _count_header() -> list[str]:
    return [_("deelgenomen"), _("ingeleverd"), _("afgerond")]


def _count_row(count: Count) -> list:
    return [count.took_part, count.delivered, count.completed]


def sections(report: Report) -> list[tuple[str, list[str], list[list]]]:
    """(name, header, rows) of each part of the report, as the files show them."""
    yes, no = _("ja"), _("nee")
    return [
        (_("Provincies"), [_("provincie"), *_count_header(), _("gemeenten in provincie"),
                           _("aandeel deelgenomen (%)")],
         [[c.label, *_count_row(c), c.total or "", _share(c)] for c in report.provinces]),
        (_("Global Goals"), [_("Global Goal"), *_count_header()],
         [[c.label, *_count_row(c)] for c in report.goals]),
        (_("Jaren"), [_("jaar"), *_count_header()],
         [[c.key, *_count_row(c)] for c in report.years]),
        (_("Gemeenten"), [_("gemeente"), _("code"), _("provincie"), _("ingeleverd"),
                          _("afgerond"), _("jaren")],
         [[m.display_name, m.code, m.province, yes if m.delivered else no,
           yes if m.completed else no, " ".join(str(y) for y in sorted(m.years))]
          for m in report.municipalities]),
    ]


def csv_bytes(report: Report) -> bytes:
    """One table: the part each row belongs to, its name, and the counts."""
    header = [_("onderdeel"), _("naam"), *_count_header(), _("gemeenten in provincie"),
              _("aandeel deelgenomen (%)")]
    rows = [[_("Totaal"), report.organiser.name, *_count_row(report.total), "", ""]]
    for name, _header, part in sections(report)[:3]:
        rows += [[name, *row, *[""] * (len(header) - 1 - len(row))] for row in part]
    for m in report.municipalities:
        rows.append([_("Gemeenten"), m.display_name, 1, int(m.delivered), int(m.completed), "",
                     ""])
    return to_csv(header, rows)


def xlsx_bytes(report: Report, filters_text: str) -> bytes:
    """A workbook: an overview sheet, then one sheet per part of the report."""
    workbook = Workbook()
    overview = workbook.active
    overview.title = _("Overzicht")
    _write(overview, [_("Bereik"), report.organiser.name], [
        [_("filters"), filters_text],
        [_("gemeenten deelgenomen"), report.total.took_part],
        [_("gemeenten ingeleverd"), report.total.delivered],
        [_("gemeenten afgerond"), report.total.completed]])
    for name, header, rows in sections(report):
        _write(workbook.create_sheet(name[:31]), header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(sheet, header: list, rows: list[list]) -> None:
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: "=..." is never a formula
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
