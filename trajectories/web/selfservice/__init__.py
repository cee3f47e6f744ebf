"""Registration (double opt-in) and the participant's own pages, "my trajectories", reached by
signed links from mail: no passwords for participants.

Links in mail open a page with one button that does the work (a POST): mail scanners such as
Microsoft Defender's Safe Links open every link in a mail, and a GET that used up a single-use
link would leave the participant with a dead one.

One blueprint, its views in a module per job: `registration`, `signin`, `mine` (my
trajectories, my calendar link), `deadlines` (hand-ins) and `data` (mail preferences, export,
erasure). `blueprint` holds who is signed in and what every one of them shares.
"""

from trajectories.web.selfservice import (  # noqa: F401  (the views register themselves on bp)
    certificates,
    data,
    deadlines,
    mine,
    registration,
    signin,
)
from trajectories.web.selfservice.blueprint import bp  # noqa: F401
