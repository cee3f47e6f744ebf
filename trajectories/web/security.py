"""What protects every page: CSRF tokens on every form, rate limits, and security headers."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
#: Decorate views with `@limiter.limit("5 per minute")`; storage from TRAJECTORIES_RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

#: No inline script or style: colours (SDGs) come from classes in static CSS.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def framable_by(origins: list[str]) -> str:
    """The policy above, with framing allowed to these origins only (none: nobody). Only the
    embedded catalogue (web/embed.py) sends it; every other page refuses every frame."""
    ancestors = " ".join(origins) if origins else "'none'"
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


def init_security(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage_uri)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
            # Older browsers know no frame-ancestors; a page some sites may frame (the embed)
            # leaves it out, as X-Frame-Options cannot name several origins.
            response.headers.setdefault("X-Frame-Options", "DENY")
        if settings.base_url.startswith("https://"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
