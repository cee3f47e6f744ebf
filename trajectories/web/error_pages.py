"""Error pages (403, 404, 405, 410, 500) in the site's layout and the visitor's language.

The 500 page renders without the database (it may be why we are here); should the layout fail
anyway, a bare page in the same language answers instead of Werkzeug's English one.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import escape
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from trajectories.web.api import api_error_page

CODES = (403, 404, 405, 410, 500)


def _texts(code: int) -> tuple[str, str]:
    return {
        403: (_("Geen toegang"), _("Je mag deze pagina niet bekijken.")),
        404: (_("Pagina niet gevonden"),
              _("Deze pagina bestaat niet (meer). Controleer het adres, of begin bij de "
                "leertrajecten.")),
        405: (_("Dat kan hier niet"),
              _("Deze pagina werkt niet op deze manier. Ga terug en probeer het opnieuw.")),
        410: (_("Deze pagina is er niet meer"), _("Wat hier stond, is weggehaald.")),
        500: (_("Er ging iets mis"),
              _("Er ging bij ons iets mis. Probeer het over een paar minuten opnieuw.")),
    }[code]


def _bare_page(code: int, title: str, message: str) -> str:
    return (f'<!doctype html><html lang="{escape(str(get_locale()))}"><head><meta charset="utf-8">'
            f'<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>'
            f'<p>{escape(message)}</p><p><a href="/">{escape(_("Leertrajecten"))}</a></p></main>'
            f'</body></html>')


def error_page(error: HTTPException):
    code = error.code if error.code in CODES else 500
    title, message = _texts(code)
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if request.path.startswith("/api/v1/"):
        response = api_error_page(code)  # an API client reads JSON, not a page
        response.headers.update(headers)
        return response
    if request.path.startswith("/feeds/"):
        # Calendar clients read no HTML; the same short answer for every unknown feed.
        return f"{title}\n", code, {**headers, "Content-Type": "text/plain; charset=utf-8"}
    try:
        body = render_template("errors.html", code=code, title=title, message=message)
    except Exception:  # noqa: BLE001  (the layout itself failed: still answer in a page)
        if code != 500:
            raise
        body = _bare_page(code, title, message)
    return body, code, headers


def init_error_pages(app: Flask) -> None:
    for code in CODES:
        app.register_error_handler(code, error_page)
