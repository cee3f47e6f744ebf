"""The interest list reacts to the catalogue: an edition saved or published may open (or stop
opening) registration, and the list hears of it (`services.announce_edition`)."""

from __future__ import annotations

import logging

from flask import has_app_context

from trajectories.interest import services
from trajectories.people import privacy

log = logging.getLogger(__name__)


def on_edition_changed(event, db) -> None:
    if db is None:
        return
    if not has_app_context():  # the mail is rendered with the app's templates
        log.warning("interest list: edition %s changed outside the app", event.edition_id)
        return
    with db.session(actor="interest") as session:
        services.announce_edition(session, event.edition_id)


def maintain(app, db) -> None:
    """The scheduler's periodic upkeep of the lists: entries past their retention go
    (`people.privacy.expire_interest`), and any announcement a dead process left unqueued is
    queued (`services.announce_all`)."""
    with app.app_context(), db.session(actor="scheduler") as session:
        expired = privacy.expire_interest(session)
        queued = services.announce_all(session)
    if expired or queued:
        log.info("interest lists: %s entries expired, %s announcements queued", expired, queued)
