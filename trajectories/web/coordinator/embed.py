"""Embedding the catalogue on the organiser's own website: the websites (origins) allowed to
frame it, and the snippet to paste (an iframe, with a link that works without it)."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from wtforms import TextAreaField

from trajectories.api import services as api
from trajectories.catalogue.models import Organiser
from trajectories.web import db_session
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp
from trajectories.web.coordinator.forms import Form, save, status_code


class EmbedForm(Form):
    origins = TextAreaField(
        _l("Websites die de catalogus mogen tonen"),
        description=_l("Eén per regel: schema en domein, eventueel met poort, zonder pad "
                       "(https://www.vng.nl). Leeg: geen enkele website."))


def snippet(organiser: Organiser, language: str) -> str:
    """What the organiser pastes into a page in `language`: the iframe, and a link to the same
    tracks for a reader whose browser shows no frames."""
    base = current_app.config["SETTINGS"].base_url.rstrip("/")
    query = "?lang=en" if language == "en" else ""
    with force_locale(language):
        title = escape(_("Leertrajecten van %(name)s", name=organiser.name))
        link = escape(_("Alle leertrajecten van %(name)s", name=organiser.name))
    return (f'<iframe src="{base}/embed/{organiser.slug}/{query}" title="{title}" '
            f'width="100%" height="600" style="border:0" loading="lazy"></iframe>\n'
            f'<p><a href="{base}/{organiser.slug}/{query}">{link}</a></p>')


@bp.route("/organisatoren/<int:organiser_id>/insluiten", methods=["GET", "POST"])
def embed_settings(organiser_id: int):
    organiser = access.organiser(organiser_id)
    form = EmbedForm(data={"origins": "\n".join(organiser.embed_origins or [])})
    saved = save(form, lambda: api.set_embed_origins(db_session(), organiser, form.origins.data),
                 _("De lijst met websites is opgeslagen."),
                 url_for("coordinator.embed_settings", organiser_id=organiser.id))
    return saved or (render_template("coordinator/embed.html", form=form, organiser=organiser,
                                     snippets={"nl": snippet(organiser, "nl"),
                                               "en": snippet(organiser, "en")}),
                     status_code(form))
