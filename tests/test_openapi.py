"""The OpenAPI document is valid (a validator reads it as fuzzers do), documents every answer the API
gives, and the API keeps to it: 405 names the allowed methods, a write without a body is refused."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from intake.extensions import db
from intake.services.accounts import issue_token

from .factories import user

WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def token(app, world):
    with app.app_context():
        return issue_token(db.session, user(world, "volunteer"))


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", *WRITES):
                yield path, method, operation


def test_the_document_is_valid_openapi(spec):
    validate(spec)  # raises on the first error, naming it


def test_decimal_bounds_are_numbers(spec):
    weight = spec["components"]["schemas"]["Donation"]["properties"]["weight_kg"]
    assert weight["exclusiveMinimum"] == 0 and "minimum" not in weight


def test_every_operation_documents_the_errors_it_can_answer(spec):
    for path, method, operation in operations(spec):
        responses = set(operation["responses"])
        assert {"401", "403"} <= responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in WRITES:
            assert {"400", "422"} <= responses, (method, path)
    assert "429" in spec["paths"]["/api/v1/code-blocks"]["post"]["responses"]


@pytest.mark.parametrize("method, url, allowed", [
    ("delete", "/api/v1/items", {"POST"}),
    ("put", "/api/v1/code-blocks", {"POST"}),
    ("post", "/api/v1/categories", {"GET", "HEAD"}),
    ("get", "/logout", {"POST"}),
])
def test_405_names_the_allowed_methods(client, token, method, url, allowed):
    response = getattr(client, method)(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    assert allowed <= {part.strip() for part in response.headers.get("Allow", "").split(",")}


def test_a_code_block_request_without_a_body_is_refused(client, token):
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/code-blocks", headers=headers).status_code == 422
    assert client.post("/api/v1/code-blocks", data="count=5", headers=headers).status_code == 422
    assert client.post("/api/v1/code-blocks", json={}, headers=headers).status_code == 201  # the default count
    assert len(client.post("/api/v1/code-blocks", json={"count": 3}, headers=headers).get_json()["codes"]) == 3


def test_answers_are_the_documented_ones(client, spec, token, world):
    headers = {"Authorization": f"Bearer {token}"}
    seen = [("get", "/api/v1/items/{code}", client.get("/api/v1/items/ZZZZZZ", headers=headers)),
            ("get", "/api/v1/categories", client.get("/api/v1/categories")),
            ("get", "/api/v1/landlord/handovers", client.get("/api/v1/landlord/handovers", headers=headers)),
            ("post", "/api/v1/items", client.post("/api/v1/items", json={}, headers=headers)),
            ("post", "/api/v1/items/{code}/transitions",
             client.post("/api/v1/items/ZZZZZZ/transitions", json={"to": "ready"}, headers=headers))]
    for method, path, response in seen:
        assert str(response.status_code) in spec["paths"][path][method]["responses"], (method, path, response.status_code)
        assert response.is_json
