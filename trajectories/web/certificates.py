"""The public verification page of a certificate: /bewijs/<code> confirms it (name, track,
edition, period: less than the certificate itself shows) or denies it (unknown,
revoked, or its holder's account erased), with the same answer for every kind of denial."""

from __future__ import annotations

from flask import Blueprint, render_template

from trajectories.completion import queries
from trajectories.web import db_session
from trajectories.web.security import limiter

bp = Blueprint("certificates", __name__)


@bp.get("/bewijs/<code>")
@limiter.limit("60 per minute")
def verify(code: str):
    found = queries.valid_certificate(db_session(), code)
    response = render_template("completion/verify.html", found=found), 200 if found else 404
    return (*response, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
