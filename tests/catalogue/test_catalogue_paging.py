"""The public catalogue in pages of 20 tracks: previous/next and page numbers that keep the
filters, out-of-range page numbers, both languages, and a fixed number of queries per page."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from tests import factories
from tests.catalogue.test_public_catalogue import statements, titles
from tests.public_world import closing_client, open_edition
from trajectories.web.public import Page


@pytest.fixture
def client(app, session):
    return closing_client(app, session)


@pytest.fixture
def forty_five_tracks(session):
    """45 tracks (three pages: 20, 20, 5); the odd ones on climate, every third one open for
    registration."""
    org = factories.organiser(session, slug="vng", name="VNG")
    for n in range(1, 46):
        track = factories.track(session, org, slug=f"t{n:02}", title=f"Traject {n:02}",
                                theme="Klimaat" if n % 2 else "Inclusie")
        if n % 3 == 0:
            open_edition(session, trk=track)
    return org


def numbered(*numbers: int) -> list[str]:
    return [f"Traject {n:02}" for n in numbers]


def paging(response) -> str:
    """The paging navigation of a page ('' if it has none)."""
    found = re.search(r"<nav class=\"utrecht-pagination.*?</nav>", response.get_data(as_text=True),
                      re.S)
    return found.group(0) if found else ""


def link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', paging(response))
    return html.unescape(found.group(1)) if found else None


def current_page(response) -> str:
    found = re.search(r'aria-current="page"><span class="visually-hidden">[^<]*</span>(\d+)</a>',
                      paging(response))
    return found.group(1) if found else ""


def test_previous_and_next_walk_through_pages_of_twenty(client, forty_five_tracks):
    first = client.get("/")
    assert titles(first) == numbered(*range(1, 21))
    assert "1–20 van 45 leertrajecten" in first.get_data(as_text=True)
    assert 'aria-label="Pagina\'s met leertrajecten"' in paging(first)
    assert current_page(first) == "1"
    assert link(first, "prev") is None

    second = client.get(link(first, "next"))
    assert titles(second) == numbered(*range(21, 41))
    assert current_page(second) == "2"
    assert "21–40 van 45 leertrajecten" in second.get_data(as_text=True)
    assert "pagina 2 van 3" in second.get_data(as_text=True).split("</title>")[0]
    assert link(second, "prev") == "/"  # the first page has one address, without a number

    last = client.get(link(second, "next"))
    assert titles(last) == numbered(41, 42, 43, 44, 45)
    assert current_page(last) == "3"
    assert link(last, "next") is None
    page_links = re.findall(
        r'href="([^"]+)"(?: aria-current="page")?><span class="visually-hidden">Pagina </span>(\d)',
        paging(last))
    assert [(html.unescape(href), n) for href, n in page_links] == [
        ("/", "1"), ("/?pagina=2", "2"), ("/?pagina=3", "3")]


def test_a_short_catalogue_has_no_paging(client, session):
    factories.track(session, factories.organiser(session), title="Enig traject")
    page = client.get("/")
    assert titles(page) == ["Enig traject"]
    assert paging(page) == "" and "van 1 leertraject" not in page.get_data(as_text=True)


def test_filters_and_search_are_kept_across_pages(client, forty_five_tracks):
    first = client.get("/?thema=Klimaat&q=traject")
    odd = [n for n in range(1, 46) if n % 2]
    assert titles(first) == numbered(*odd[:20])
    assert "23 leertrajecten gevonden" in first.get_data(as_text=True)
    following = link(first, "next")
    assert "thema=Klimaat" in following and "q=traject" in following
    assert titles(client.get(following)) == numbered(*odd[20:])

    # The status is computed from the editions' dates (no edition yet: upcoming), paged the same.
    upcoming = client.get("/?status=upcoming&pagina=2")
    assert titles(upcoming) == numbered(*[n for n in range(1, 46) if n % 3][20:])
    assert link(upcoming, "prev") == "/?status=upcoming"


def test_filtering_starts_again_at_the_first_page(client, forty_five_tracks):
    form = client.get("/?thema=Klimaat&pagina=2").get_data(as_text=True)
    form = form.split('<form class="filters"')[1].split("</form>")[0]
    assert 'name="pagina"' not in form  # a new filter shows its first page, not page 2


@pytest.mark.parametrize(("asked", "shown"), [
    ("0", "1"), ("-1", "1"), ("twee", "1"), ("", "1"), ("2.5", "1"),
    ("²", "1"), ("3", "3"), ("4", "3"), ("99999999999999999999", "3"),
    ("9" * 5000, "3"),  # past the end: the last page
])
def test_a_page_number_out_of_range_shows_the_nearest_page(client, forty_five_tracks, asked, shown):
    page = client.get(f"/?pagina={asked}")
    assert page.status_code == 200
    assert current_page(page) == shown
    assert titles(page) == numbered(*range(1, 21)) if shown == "1" else numbered(*range(41, 46))


def test_the_organiser_page_is_paged_at_its_own_address(client, forty_five_tracks):
    page = client.get("/vng/?pagina=3")
    assert titles(page) == numbered(*range(41, 46))
    assert link(page, "prev") == "/vng/?pagina=2"


def test_paging_in_english(client, forty_five_tracks):
    client.get("/taal/en")
    second = client.get("/?pagina=2").get_data(as_text=True)
    assert "21–40 of 45 learning tracks" in second
    assert "page 2 of 3" in second.split("</title>")[0]
    nav = re.search(r"<nav class=\"utrecht-pagination.*?</nav>", second, re.S).group(0)
    assert 'aria-label="Pages of learning tracks"' in nav
    assert ">Previous<" in nav and ">Next<" in nav and ">Page </span>2" in nav
    assert "Vorige" not in nav and "Volgende" not in nav


def test_page_numbers_leave_out_the_middle_of_a_long_catalogue():
    assert Page(number=10, count=20, total=400).numbers() == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert Page(number=1, count=3, total=45).numbers() == [1, 2, 3]
    assert Page(number=2, count=20, total=400).numbers() == [1, 2, 3, 4, None, 20]


@pytest.mark.parametrize("path", ["/", "/?pagina=2", "/?status=registration_open",
                                  "/?q=traject&thema=Klimaat", "/org-n/"])
def test_a_page_takes_the_same_number_of_queries_for_5_and_50_tracks(app, session, client, path):
    """No query per track, edition or session (N+1)."""
    counts = []
    for size in (5, 50):
        org = factories.organiser(session, slug="org-n" if size == 5 else "org-n-50")
        for _ in range(size):
            track = factories.track(session, org, theme="Klimaat")
            factories.meeting(session, open_edition(session, trk=track), on_date=date(2099, 1, 1))
        shown = path if size == 5 else path.replace("/org-n/", "/org-n-50/")
        counts.append(statements(app, client, shown))
        assert len(titles(client.get(shown))) == min(size, 20)  # only a page is shown
    assert counts[0] == counts[1], counts
