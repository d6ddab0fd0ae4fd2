"""The automation API against its OpenAPI 3.1 document: the schema view, and a
property-based run (schemathesis) in which no answer is a 5xx and every answer matches
the document."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from maintenance_panel import core
from maintenance_panel.api import schema as api_schema
from tests import api_calls

schema = schemathesis.openapi.from_dict(api_schema.document(server="/maintenance"))
schema.app = get_wsgi_application()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


fresh_cache = pytest.fixture(api_calls.fresh_cache)
pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def token(transactional_db) -> str:
    # Committed: schemathesis calls the site from a thread of its own, whose database
    # connection does not see a test's transaction (on PostgreSQL).
    return core.create_api_token("schemathesis")


def test_the_schema_view_serves_the_document(client, db):
    response = client.get("/maintenance/api/schema/")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/maintenance"}]
    assert set(document["paths"]["/api/"]) == {"get", "post"}
    assert client.post("/maintenance/api/schema/").status_code == 405


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_matches_the_document(case, token):
    if case.body is not None and isinstance(case.body, dict):
        case.body.pop("wait", None)  # waiting for a fleet is tested on its own
    # The document declares the bearer scheme, so a case may come with a header of its
    # own making: the good token replaces it.
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    assert response.status_code < 500
    assert response.status_code not in {401, 403}, response.text  # the token is good


@pytest.mark.parametrize(
    ("method", "headers", "body", "status"),
    [
        ("GET", {}, None, 401),
        ("GET", {"Authorization": "Bearer mcp_0123456789ab_wrong"}, None, 401),
        ("POST", {"token": "reader"}, {"enabled": True}, 403),
        ("POST", {"token": "switcher"}, {"enabled": "yes", "colour": 1}, 400),
        ("POST", {"token": "switcher"}, {"enabled": True, "read_only": True}, 200),
    ],
)
def test_the_answers_of_each_kind_match_the_document(
    transactional_db, method, headers, body, status
):
    given = {
        "reader": core.create_api_token("reader", scopes=["read"]),
        "switcher": core.create_api_token("switcher"),
    }
    if "token" in headers:
        headers = {"Authorization": f"Bearer {given[headers['token']]}"}
    options = {} if body is None else {"body": body, "media_type": "application/json"}
    case = schema["/api/"][method].Case(headers=headers, **options)
    response = case.call()
    assert response.status_code == status
    case.validate_response(response, checks=CHECKS)


@override_settings(MAINTENANCE_MODE=True)
def test_409_matches_the_document(transactional_db):
    token = core.create_api_token("switcher")
    case = schema["/api/"]["POST"].Case(
        headers={"Authorization": f"Bearer {token}"},
        body={"enabled": False},
        media_type="application/json",
    )
    response = case.call()
    assert response.status_code == 409
    case.validate_response(response, checks=CHECKS)


def test_a_repeated_window_announced_matches_the_document(transactional_db):
    core.set_maintenance_mode(
        True,
        recurrence="FREQ=DAILY;BYHOUR=2;BYMINUTE=0",
        recurrence_duration=timedelta(hours=1),
    )
    token = core.create_api_token("reader", scopes=["read"])
    case = schema["/api/"]["GET"].Case(headers={"Authorization": f"Bearer {token}"})
    with override_settings(MAINTENANCE_MODE_ANNOUNCE_BEFORE=2 * 24 * 60 * 60):
        response = case.call()
    assert response.status_code == 200
    document = response.json()
    assert document["recurrence"]["rule"] == "FREQ=DAILY;BYHOUR=2;BYMINUTE=0"
    assert document["next_window"]["starts_at"]
    assert document["upcoming"] is not None or document["active"]
    case.validate_response(response, checks=CHECKS)
