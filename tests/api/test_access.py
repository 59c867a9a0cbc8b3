"""Who may call what, over every route of the API: the same decisions as the pages
(jalon/access.py), through a token, and a read token never writes."""

from __future__ import annotations

import pytest

from jalon.api.api import api

from .conftest import call

READ, WRITE, COMMENT = "read", "write", "comment"

# (method, path, body, kind, what the editor's write token gets)
ROUTES = {
    ("get", "/api/v1/municipalities/{org}"): (None, READ, 200),
    ("get", "/api/v1/municipalities/{org}/members"): (None, READ, 200),
    ("get", "/api/v1/municipalities/{org}/plans"): (None, READ, 200),
    ("get", "/api/v1/plans/{plan}"): (None, READ, 200),
    ("get", "/api/v1/plans/{plan}/answers"): (None, READ, 200),
    ("get", "/api/v1/plans/{plan}/answers/competences"): (None, READ, 200),
    ("put", "/api/v1/plans/{plan}/answers/competences"): (
        {"value": "Voirie et marchés", "base_version": 0},
        WRITE,
        200,
    ),
    ("get", "/api/v1/plans/{plan}/items/actors/records"): (None, READ, 200),
    ("post", "/api/v1/plans/{plan}/items/actors/records"): ({"data": {"name": "ONG"}}, WRITE, 201),
    ("get", "/api/v1/plans/{plan}/records/{record}"): (None, READ, 200),
    ("patch", "/api/v1/plans/{plan}/records/{record}"): (
        {"data": {"name": "Mairie B"}, "base_version": 1},
        WRITE,
        200,
    ),
    ("post", "/api/v1/plans/{plan}/records/{record}/move"): ({"offset": 1}, WRITE, 200),
    ("delete", "/api/v1/plans/{plan}/records/{record}?base_version=1"): (None, WRITE, 204),
    ("get", "/api/v1/plans/{plan}/history"): (None, READ, 200),
    ("get", "/api/v1/plans/{plan}/items/actors/history"): (None, READ, 200),
    ("get", "/api/v1/plans/{plan}/export/json"): (None, READ, 200),
    ("get", "/api/v1/plans/{plan}/comments"): (None, READ, 200),
    ("post", "/api/v1/plans/{plan}/comments"): (
        {"item": "competences", "body": "Une question"},
        COMMENT,
        201,
    ),
    ("get", "/api/v1/plans/{plan}/advice"): (None, READ, 200),
}
# Routes that name nothing of a municipality: anyone with a token reads them, an outsider
# sees only what is theirs (no municipality here) or the public worksheets.
UNSCOPED = {
    ("get", "/api/v1/municipalities"),
    ("get", "/api/v1/worksheets"),
    ("get", "/api/v1/worksheets/gerer-les-services-urbains/1"),
}
WRITES = [key for key, (_body, kind, _status) in ROUTES.items() if kind != READ]


def _template(path: str) -> str:
    """/api/v1/plans/{plan}/answers/competences → /api/v1/plans/{}/answers/{}, to compare with
    the OpenAPI paths."""
    import re

    return re.sub(r"/(\{[a-z_]+\}|competences|actors|json|gerer-les-services-urbains|1)(?=/|$)",
                  "/{}", path.split("?")[0])  # fmt: skip


def test_every_api_operation_is_in_the_matrix():
    documented = {
        (method, _template(path))
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    covered = {(method, _template(path)) for method, path in (*ROUTES, *UNSCOPED)}
    assert documented == covered


def _send(client, key, world, token):
    method, path = key
    body, _kind, _status = ROUTES.get(key, (None, READ, 200))
    return call(client, method, path.format(**world), token, body)


@pytest.mark.parametrize("key", [*ROUTES, *sorted(UNSCOPED)])
def test_without_a_token_every_route_answers_401(client, world, key):
    response = _send(client, key, world, None)
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("key", ROUTES)
def test_an_outsiders_token_gets_404_and_no_data(client, world, tokens, key):
    response = _send(client, key, world, tokens["outsider", "write"])
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_an_outsider_lists_no_municipality_of_others(client, world, tokens):
    response = call(client, "get", "/api/v1/municipalities", tokens["outsider", "read"])
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


@pytest.mark.parametrize("key", ROUTES)
@pytest.mark.parametrize("person", ["viewer", "editor"])
def test_a_read_token_reads_and_never_writes(client, world, tokens, key, person):
    _body, kind, _status = ROUTES[key]
    response = _send(client, key, world, tokens[person, "read"])
    assert response.status_code == (200 if kind == READ else 403)
    if kind != READ:
        assert response.json()["detail"]


@pytest.mark.parametrize("key", WRITES)
def test_a_viewers_write_token_cannot_write_either(client, world, tokens, key):
    response = _send(client, key, world, tokens["viewer", "write"])
    assert response.status_code == 403


@pytest.mark.parametrize("key", ROUTES)
def test_an_editors_write_token_does_everything_an_editor_may(client, world, tokens, key):
    _body, _kind, status = ROUTES[key]
    response = _send(client, key, world, tokens["editor", "write"])
    assert response.status_code == status, response.content[:300]


@pytest.mark.parametrize("key", sorted(UNSCOPED))
def test_routes_without_a_municipality_answer_any_valid_token(client, world, tokens, key):
    response = _send(client, key, world, tokens["outsider", "read"])
    assert response.status_code == 200
