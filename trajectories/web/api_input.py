"""What the API reads from a request: its query parameters, strictly (a bad filter or page is
an error a client can act on, not silently ignored as on the catalogue's pages), and the paging
of a list with its links."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app, request
from flask_babel import gettext as _

from trajectories.api import queries, schemas
from trajectories.catalogue.status import Status
from trajectories.core.reference import goals
from trajectories.web import db_session, whole_number
from trajectories.web.public import Filters

PER_PAGE, MAX_PER_PAGE = 20, 100
#: Query parameters a list takes; any other is a mistake worth telling (a typo filters nothing).
LIST_PARAMETERS = {"page", "per_page", "lang"}
TRACK_PARAMETERS = LIST_PARAMETERS | {"organiser", "sdg", "theme", "thema", "status", "q"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_parameters(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise ApiError(400, "bad_request", _("Onbekende parameter: %(names)s. Mogelijk: %(allowed)s.",
                                             names=", ".join(unknown),
                                             allowed=", ".join(sorted(allowed - {"lang"}))))


def _number(name: str, default: int, largest: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    number = whole_number(raw.strip())
    if number is None or not 1 <= number <= largest:
        raise ApiError(400, "bad_request", _("%(name)s moet een heel getal van 1 tot en met "
                                             "%(largest)s zijn.", name=name, largest=largest))
    return number


@dataclass(frozen=True)
class Paged:
    page: int
    per_page: int
    total: int

    @classmethod
    def from_request(cls, total: int) -> Paged:
        paged = cls(_number("page", 1, 10**9), _number("per_page", PER_PAGE, MAX_PER_PAGE), total)
        if paged.page > paged.pages:
            raise ApiError(404, "not_found", _("Pagina %(page)s bestaat niet: er zijn %(pages)s "
                                               "pagina's.", page=paged.page, pages=paged.pages))
        return paged

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def window(self, items: list) -> list:
        start = (self.page - 1) * self.per_page
        return items[start:start + self.per_page]

    def paging(self) -> schemas.Paging:
        return schemas.Paging(page=self.page, per_page=self.per_page, total=self.total,
                              pages=self.pages)

    def links(self) -> tuple[schemas.Links, str]:
        """The page links for the body, and the same as an RFC 8288 Link header."""
        base = current_app.config["SETTINGS"].base_url.rstrip("/") + request.path
        args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}

        def url(page: int) -> str:
            query = {**args, "page": page, "per_page": self.per_page}
            return f"{base}?{urlencode(query)}"

        links = schemas.Links(self_=url(self.page), first=url(1), last=url(self.pages),
                              prev=url(self.page - 1) if self.page > 1 else None,
                              next=url(self.page + 1) if self.page < self.pages else None)
        header = ", ".join(f'<{getattr(links, rel)}>; rel="{rel}"'
                           for rel in ("first", "prev", "next", "last") if getattr(links, rel))
        return links, header


def track_filters() -> tuple[Filters, str | None]:
    """The public catalogue's filters, strictly: a bad value is an error here, not ignored."""
    check_parameters(TRACK_PARAMETERS)
    args = request.args
    sdg = None
    if "sdg" in args:
        sdg = whole_number(args["sdg"].strip())
        if sdg not in goals():
            raise ApiError(400, "bad_filter", _("sdg moet een Global Goal zijn: 1 tot en met 17."))
    status = args.get("status", "")
    if status and status not in list(Status):
        raise ApiError(400, "bad_filter", _("status moet een van deze zijn: %(values)s.",
                                            values=", ".join(str(s) for s in Status)))
    theme = args.get("theme", args.get("thema", "")).strip()
    query = " ".join(args.get("q", "").split())
    if len(theme) > 100 or len(query) > 200:
        raise ApiError(400, "bad_filter", _("Een thema heeft ten hoogste 100 tekens, een "
                                            "zoekvraag ten hoogste 200."))
    return Filters(sdg=sdg, theme=theme, status=status, q=query), args.get("organiser")


def organiser_id(slug: str | None) -> int | None:
    """The organiser filter's id (None: all organisers); an unknown slug is a bad filter. Read
    only when an answer is built: a cached answer needs no database."""
    if slug is None:
        return None
    organiser = queries.organiser_by_slug(db_session(), slug)
    if organiser is None:
        raise ApiError(400, "bad_filter", _("Onbekende organisator: %(slug)s.", slug=slug[:40]))
    return organiser.id
