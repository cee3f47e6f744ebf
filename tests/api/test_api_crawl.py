"""The API read as a client reads it: start at /api/v1/, follow every link through the demo
data, and check each answer against the OpenAPI document the API serves."""

from urllib.parse import urlsplit

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_spec

BASE = "http://127.0.0.1:5000"


@pytest.fixture
def demo_client(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app.test_client()


def _get(client, url: str):
    parts = urlsplit(url)
    return client.get(parts.path + (f"?{parts.query}" if parts.query else ""))


class Checker:
    """Validates an answer against the document's schema for its operation and status."""

    def __init__(self, document: dict):
        self.document = document
        self.paths = document["paths"]

    def operation(self, path: str) -> dict:
        for template, item in self.paths.items():
            head, *rest = template.split("{")
            if not rest and template == path:
                return item["get"]
            if rest and path.startswith(head):
                tail = template[len(head):].split("}", 1)[1]
                middle = path[len(head):]
                if (middle.endswith(tail) if tail else "/" not in middle) and \
                        "/" not in middle[:len(middle) - len(tail)]:
                    return item["get"]
        raise AssertionError(f"no operation for {path}")

    def check(self, path: str, status: int, body) -> None:
        response = self.operation(path)["responses"][str(status)]
        schema = response["content"]["application/json"]["schema"]
        resolver_doc = {**schema, "components": self.document["components"]}
        jsonschema.validate(body, resolver_doc, cls=jsonschema.Draft202012Validator,
                            format_checker=jsonschema.FormatChecker())


def test_the_openapi_document_is_valid_31(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate_spec(document)  # raises on an invalid document


def test_a_crawl_of_the_demo_data_validates_against_the_document(demo_client):
    checker = Checker(demo_client.get("/api/v1/openapi.json").get_json())
    seen, queue, statuses = set(), [f"{BASE}/api/v1/"], {}
    kinds = set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = _get(demo_client, url)
        path = urlsplit(url).path
        assert response.status_code == 200, (url, response.get_json())
        body = response.get_json()
        checker.check(path, 200, body)
        statuses[path] = response.status_code
        kinds.add(checker.operation(path)["operationId"])
        for link in _links(body):
            if link.startswith(f"{BASE}/api/v1/") and link not in seen:
                queue.append(link)
    assert kinds == {"index", "listOrganisers", "getOrganiser", "listTracks", "getTrack",
                     "getEdition", "listSessions"}
    assert len(seen) > 20
    for bad in ("/api/v1/tracks/999999", "/api/v1/editions/abc", "/api/v1/tracks?sdg=18",
                "/api/v1/tracks?page=999999999", "/api/v1/organisers/nobody"):
        response = demo_client.get(bad)
        assert response.status_code in (400, 404)
        path = urlsplit(bad).path
        if "abc" not in path:
            checker.check(path, response.status_code, response.get_json())


def _links(body):
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str) and key.endswith("url") or key in (
                    "self", "first", "last", "next", "prev", "organisers", "tracks"):
                if isinstance(value, str):
                    yield value
            else:
                yield from _links(value)
    elif isinstance(body, list):
        for item in body:
            yield from _links(item)
