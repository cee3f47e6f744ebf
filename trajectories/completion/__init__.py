"""Completion: the rules an edition sets for who completed it, applying them when the edition's
last session is over (a planned moment of the scheduler), a coordinator's override, the
certificate (deelnamebewijs) with its public verification, and attendance as sessions run
(self check-in by a rotating QR link, the sign-in list to print)."""
