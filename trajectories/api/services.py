"""The one write of the open interfaces: which websites may frame an organiser's embedded
catalogue (its `embed_origins`, sent as the embed page's CSP frame-ancestors)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from trajectories.api.events import EmbedOriginsChanged
from trajectories.catalogue.models import Organiser
from trajectories.core import events
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.core.service import service

#: More than any organiser needs; the CSP header stays short.
MAX_ORIGINS = 20
DEFAULT_PORTS = {"http": 80, "https": 443}
#: A host name as browsers send it in an origin: labels of letters, digits and hyphens (an
#: internationalised name in its xn-- form).
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def origin(value: str) -> str:
    """`value` as an origin (scheme://host[:port], lower case, no default port), or ValueError.
    A trailing slash is allowed; a path, query, user name or wildcard is not."""
    text = value.strip()
    if text.endswith("/") and text.count("/") == 3:
        text = text[:-1]
    parts = urlsplit(text)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc or parts.path or parts.query \
            or parts.fragment or "@" in parts.netloc or "?" in text or "#" in text:
        raise ValueError(value)
    try:
        port = parts.port
    except ValueError:
        raise ValueError(value) from None
    host = (parts.hostname or "").lower()
    if not _valid_host(host):
        raise ValueError(value)
    shown_host = f"[{host}]" if ":" in host else host
    shown_port = f":{port}" if port is not None and port != DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{shown_host}{shown_port}"


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    return bool(host) and len(host) <= 253 and all(HOST_LABEL.match(label) for label in labels)


def parse_origins(text: str) -> list[str]:
    """One origin per line (blank lines skipped, duplicates once); InvalidInput naming every
    line that is not one."""
    found, bad = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = origin(line)
        except ValueError:
            bad.append(_l("regel %(number)s (%(value)s)", number=number, value=line.strip()[:80]))
            continue
        if value not in found:
            found.append(value)
    if bad:
        raise InvalidInput(_l("Geen geldige herkomst: %(lines)s. Schrijf per regel alleen schema "
                              "en domein, eventueel met poort, zonder pad: "
                              "https://www.voorbeeld.nl of http://localhost:8080.",
                              lines="; ".join(str(b) for b in bad)), "origins")
    if len(found) > MAX_ORIGINS:
        raise InvalidInput(_l("Ten hoogste %(count)s websites.", count=MAX_ORIGINS), "origins")
    return found


@service
def set_embed_origins(session: Session, organiser: Organiser, text: str) -> Organiser:
    """Replace the organiser's allowed origins with those in `text` (one per line)."""
    origins = parse_origins(text)
    if origins == list(organiser.embed_origins or []):
        return organiser
    organiser.embed_origins = origins
    organiser.updated_at = utcnow()
    session.add(organiser)
    session.flush()
    events.record(session, EmbedOriginsChanged(organiser_id=organiser.id, origins=tuple(origins)))
    return organiser
