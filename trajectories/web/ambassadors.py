"""The public province pages: /provincies/ (every province with its ambassador of today) and
/provincies/<province>: its ambassador, the municipalities that take part, the regional meetings
ahead, and (once the Menukaart exists) its examples. Both are built once per change and language
(`web.page_cache`), with the version of the ambassadors and the Menukaart besides the
catalogue's."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from trajectories.ambassadors import provinces as province_list
from trajectories.ambassadors import queries
from trajectories.menukaart.queries import published_examples
from trajectories.web import db_session
from trajectories.web.page_cache import cached

bp = Blueprint("ambassadors", __name__)

#: Examples from the Menukaart shown on a province page.
EXAMPLES_LIMIT = 6


def menukaart_examples(session, province) -> list:
    """The province's published examples from the Menukaart, newest first (`province`: a
    `trajectories.ambassadors.provinces.Province`)."""
    return published_examples(session, province=province.name, country=province.country,
                              limit=EXAMPLES_LIMIT)


@bp.get("/provincies/")
def provinces():
    return cached(lambda **context: render_template(
        "ambassadors/provinces.html", rows=queries.overview(db_session()), **context),
        also=queries.version)


@bp.get("/provincies/<slug>")
def province(slug: str):
    found = province_list.by_slug(slug)
    if found is None:
        abort(404)
    return cached(lambda **context: _render_province(found, **context), also=queries.version)


def _render_province(found, **context) -> str:
    s = db_session()
    return render_template("ambassadors/province.html", province=found,
                           ambassadors=queries.current(s, found),
                           municipalities=queries.participating(s, found),
                           meetings=queries.upcoming_meetings(s, found),
                           examples=menukaart_examples(s, found), **context)
