"""The coordinators' web app under /beheer: tracks, editions, sessions, enrollments, audit log.

Every view needs a signed-in coordinator; every object is looked up through `access`, so an id
of another organiser's object answers 404. Views parse input, call one service, render.
"""

from trajectories.web.coordinator import (  # noqa: F401  (the views register themselves on bp)
    ambassadors,
    auth,
    award,
    completion,
    dashboard,
    editions,
    embed,
    feedback,
    history,
    lending,
    logbook,
    menukaart,
    messages,
    people_io,
    reach,
    roster,
    schedule,
    tracks,
)
from trajectories.web.coordinator.blueprint import bp  # noqa: F401
