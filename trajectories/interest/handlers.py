"""The interest list reacts to the catalogue: an edition saved or published may open (or stop
opening) registration, and the list hears of it (`services.announce_edition`)."""

from __future__ import annotations

import logging

from flask import has_app_context

from trajectories.interest import services

log = logging.getLogger(__name__)


def on_edition_changed(event, db) -> None:
    if db is None:
        return
    if not has_app_context():  # the mail is rendered with the app's templates
        log.warning("interest list: edition %s changed outside the app", event.edition_id)
        return
    with db.session(actor="interest") as session:
        services.announce_edition(session, event.edition_id)
