"""The automation API (``maintenance_panel:api``): reading and switching with a token."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from maintenance_panel import core
from maintenance_panel.models import ApiToken, MaintenanceChange, MaintenanceConfig
from maintenance_panel.signals import maintenance_mode_changed
from tests import api_calls
from tests.api_calls import URL, auth, post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

fresh_cache = pytest.fixture(api_calls.fresh_cache)
token = pytest.fixture(api_calls.deploy_token)


def status_json() -> dict[str, Any]:
    out = StringIO()
    call_command("maintenance_mode", "status", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_url_names():
    assert reverse("maintenance_panel:api") == URL
    assert reverse("maintenance_panel:api-schema") == "/maintenance/api/schema/"


# -- GET -------------------------------------------------------------------------------


def test_get_answers_what_status_json_prints(client, token, set_config):
    set_config(enabled=True, title="Upgrade", ends_at=timezone.now() + timedelta(hours=1))
    response = client.get(URL, **auth(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    document = response.json()
    expected = status_json()
    for data in (document, expected):
        data.pop("processes")  # the request itself reports as a process
    assert document == expected
    assert document["active"] is True
    assert document["title"] == "Upgrade"


def test_head_needs_a_token_too(client, token):
    assert client.head(URL).status_code == 401
    assert client.head(URL, **auth(token)).status_code == 200


def test_a_use_is_noted_with_time_and_address(client, token):
    client.get(URL, **auth(token), REMOTE_ADDR="192.0.2.10")
    stored = ApiToken.objects.get()
    assert stored.last_used_from == "192.0.2.10"
    assert timezone.now() - stored.last_used_at < timedelta(minutes=1)


def test_no_session_and_no_cookie(client, token):
    response = client.get(URL, **auth(token))
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


# -- refused -------------------------------------------------------------------------------


def test_without_a_token_401_asks_for_one(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="maintenance_panel"'
    assert "Authorization: Bearer" in response.json()["detail"]


def test_another_scheme_is_no_token(client, token):
    response = client.get(URL, HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 401
    assert "error=" not in response["WWW-Authenticate"]


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        (lambda raw: raw[:-3] + "xyz", "unknown"),
        (lambda raw: "ghp_" + raw[4:], "not an API token of this site"),
    ],
)
def test_a_wrong_token_is_refused_and_logged_without_its_secret(client, token, caplog, spoil, why):
    wrong = spoil(token)
    with caplog.at_level(logging.WARNING, logger="maintenance_panel"):
        response = client.get(URL, **auth(wrong), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert why in response.json()["detail"]
    [record] = [r for r in caplog.records if "refused" in r.getMessage()]
    assert "203.0.113.9" in record.getMessage()
    secret = token.split("_", 2)[2]
    assert secret[:10] not in caplog.text
    assert secret[-10:] not in caplog.text


def test_a_revoked_token_is_refused(client, token):
    core.revoke_api_token("deploy")
    response = client.get(URL, **auth(token))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert 'error_description="The token was revoked."' in response["WWW-Authenticate"]


def test_an_expired_token_is_refused(client, token):
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(URL, **auth(token))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_token_without_the_scope_gets_403(client):
    reader = core.create_api_token("status page", scopes=["read"])
    switcher = core.create_api_token("bot", scopes=["switch"])
    response = post(client, reader, {"enabled": True})
    assert response.status_code == 403
    assert 'error="insufficient_scope", scope="switch"' in response["WWW-Authenticate"]
    assert "“status page” does not have the scope “switch”" in response.json()["detail"]
    assert client.get(URL, **auth(switcher)).status_code == 403
    assert not MaintenanceConfig.get_solo().enabled


def test_too_many_refused_tokens_from_one_address_get_429(client, token):
    bad = auth("mcp_0123456789ab_nope")
    for _ in range(10):
        assert client.get(URL, **bad, REMOTE_ADDR="198.51.100.1").status_code == 401
    response = client.get(URL, **auth(token), REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another address is not held back.
    assert client.get(URL, **auth(token), REMOTE_ADDR="198.51.100.2").status_code == 200


def test_a_cache_that_cannot_count_locks_no_one_out(client, token, shared):
    shared.broken = True
    assert client.get(URL, **auth("mcp_0123456789ab_nope")).status_code == 401
    assert client.get(URL, **auth(token)).status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_other_methods_get_405(client, token, method):
    response = getattr(client, method)(URL, **auth(token))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"


# -- POST ----------------------------------------------------------------------------------


def test_post_switches_on_and_the_history_names_the_token(client, token):
    heard: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        heard.append(kwargs)

    maintenance_mode_changed.connect(receiver)
    try:
        with pytest.MonkeyPatch.context() as patch:
            from django.db import transaction

            patch.setattr(transaction, "on_commit", lambda f, using=None, robust=False: f())
            response = post(client, token, {"enabled": True, "title": "Deploying"})
    finally:
        maintenance_mode_changed.disconnect(receiver)
    assert response.status_code == 200
    assert response.json()["active"] is True
    assert response.json()["title"] == "Deploying"
    change = MaintenanceChange.objects.first()
    assert change.actor == "API token deploy"
    assert change.source == "api"
    assert change.changes["enabled"] == [False, True]
    assert token.split("_", 2)[2] not in json.dumps(change.changes)
    [signal] = heard
    assert signal["actor"] == "API token deploy"
    assert signal["source"] == "api"
    assert MaintenanceConfig.get_solo().changed_via == "API token deploy"


def test_post_without_csrf_token_works(token):
    client = Client(enforce_csrf_checks=True)
    assert post(client, token, {"enabled": True}).status_code == 200


def test_absent_keys_keep_what_is_stored(client, token, set_config):
    starts = timezone.now() + timedelta(hours=1)
    ends = starts + timedelta(hours=2)
    set_config(enabled=True, starts_at=starts, ends_at=ends, read_only=True, title="Old")
    response = post(client, token, {"message": "Back soon"})
    assert response.status_code == 200
    config = MaintenanceConfig.get_solo()
    assert (config.enabled, config.starts_at, config.ends_at) == (True, starts, ends)
    assert (config.read_only, config.title, config.message) == (True, "Old", "Back soon")


def test_post_sets_level_scope_and_window(client, token):
    ends = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    response = post(
        client,
        token,
        {
            "enabled": True,
            "read_only": True,
            "scope": ["^/checkout/", "  "],
            "ends_at": ends.isoformat(),
        },
    )
    assert response.status_code == 200, response.json()
    document = response.json()
    assert document["read_only"] is True
    assert document["scope"] == ["^/checkout/"]
    assert document["window"]["ends_at"].startswith(ends.strftime("%Y-%m-%dT%H:%M"))
    config = MaintenanceConfig.get_solo()
    assert config.scope_urls == "^/checkout/"
    assert config.ends_at == ends


def test_null_clears_a_time(client, token, set_config):
    set_config(enabled=True, ends_at=timezone.now() + timedelta(hours=1))
    assert post(client, token, {"ends_at": None}).status_code == 200
    assert MaintenanceConfig.get_solo().ends_at is None


def test_an_empty_body_changes_nothing_and_answers_the_state(client, token):
    response = post(client, token, "")
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    assert not MaintenanceChange.objects.exclude(changes__has_key="api_token").exists()


@pytest.mark.parametrize(
    ("body", "key", "words"),
    [
        ({"enabled": "yes"}, "enabled", "true or false"),
        ({"read_only": 1}, "read_only", "true or false"),
        ({"title": 5}, "title", "string"),
        ({"message": ["a"]}, "message", "string"),
        ({"scope": "^/x/"}, "scope", "list"),
        ({"scope": ["^/a/\n^/b/"]}, "scope", "one line"),
        ({"scope": ["(a+)+\\1"]}, "scope", ""),
        ({"starts_at": "tomorrow"}, "starts_at", ""),
        ({"ends_at": 12}, "ends_at", "ISO 8601"),
        ({"wait": -1}, "wait", "0 to 300"),
        ({"wait": True}, "wait", "seconds"),
        ({"wait": 301}, "wait", "seconds"),
        ({"enable": True}, "enable", "Unknown key"),
        ({"title": "x" * 201}, "title", "200"),
        ({"enabled": True, "ends_at": "2001-01-01T00:00:00Z"}, "ends_at", "past"),
    ],
)
def test_bad_values_get_400_per_key_and_change_nothing(client, token, body, key, words):
    response = post(client, token, body)
    assert response.status_code == 400
    data = response.json()
    assert data["detail"] == "Nothing changed: the body has errors."
    assert list(data["errors"]) == [key]
    assert words in " ".join(data["errors"][key])
    assert not MaintenanceConfig.get_solo().enabled


def test_a_window_that_ends_before_it_starts_gets_400(client, token):
    start = timezone.now() + timedelta(hours=2)
    body = {"starts_at": start.isoformat(), "ends_at": (start - timedelta(hours=1)).isoformat()}
    response = post(client, token, body)
    assert response.status_code == 400
    assert "ends_at" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "words"),
    [(b"{not json", "not JSON"), (b"[1, 2]", "JSON object"), (b"\xff\xfe", "not JSON")],
)
def test_a_body_that_is_no_json_object_gets_400(client, token, body, words):
    response = post(client, token, body)
    assert response.status_code == 400
    assert words in response.json()["errors"]["body"][0]


@override_settings(MAINTENANCE_MODE=False)
def test_409_when_the_settings_fix_the_state(client, token):
    response = post(client, token, {"enabled": True})
    assert response.status_code == 409
    assert "MAINTENANCE_MODE setting" in response.json()["detail"]


@override_settings(MAINTENANCE_MODE_READ_ONLY=False)
def test_409_when_the_settings_fix_the_level(client, token):
    response = post(client, token, {"read_only": True})
    assert response.status_code == 409
    assert "MAINTENANCE_MODE_READ_ONLY" in response.json()["detail"]


def test_a_database_that_cannot_answer_gets_401_not_500(client, token, monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(ApiToken.objects, "filter", broken)
    response = client.get(URL, **auth(token))
    assert response.status_code == 401
    assert "cannot be read now" in response.json()["detail"]


def test_wait_null_or_zero_answers_at_once(client, token):
    for wait in (None, 0):
        response = post(client, token, {"enabled": True, "wait": wait})
        assert response.status_code == 200
        assert "wait" not in response.json()


def test_errors_without_a_key_are_the_bodys():
    from django.core.exceptions import ValidationError

    from maintenance_panel.api.changes import errors_per_key

    assert errors_per_key(ValidationError("Nope.")) == {"body": ["Nope."]}
    assert errors_per_key(ValidationError({"ignore_urls": "x", "start": "y"})) == {
        "body": ["x"],
        "starts_at": ["y"],
    }


@pytest.mark.django_db(transaction=True)
async def test_the_async_stack_answers_too(async_client, token, set_config):
    from asgiref.sync import sync_to_async

    await sync_to_async(set_config)(enabled=True)
    headers = {"Authorization": f"Bearer {token}"}
    response = await async_client.get(URL, headers=headers)
    assert response.status_code == 200
    assert response.json()["active"] is True
    response = await async_client.post(
        URL, {"enabled": False}, content_type="application/json", headers=headers
    )
    assert response.status_code == 200
    assert response.json()["active"] is False


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_too_large_gets_400(client, token):
    response = post(client, token, {"message": "x" * 200})
    assert response.status_code == 400
    assert response.json()["errors"] == {"body": ["The body is too large."]}


@override_settings(MAINTENANCE_MODE_GET_CLIENT_IP_ADDRESS=lambda request: "not an address")
def test_clients_without_a_real_address_count_together(client, token):
    bad = auth("mcp_0123456789ab_nope")
    for address in range(10):
        client.get(URL, **bad, REMOTE_ADDR=f"192.0.2.{address}")
    assert client.get(URL, **auth(token)).status_code == 429
