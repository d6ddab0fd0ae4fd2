"""The maintenance response as a client receives it: status, headers, body; windows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

pytestmark = pytest.mark.django_db

JSON_KEYS = {"detail", "title", "message", "retry_after", "ends_at"}


@pytest.fixture
def on(set_config):
    return set_config(enabled=True, title="Upgrade", message="Line one\nLine <two>")


def extra_context(request):
    return {"title": f"Context for {request.path}"}


def always_json(request):
    return "json"


# -- a window evaluated per request -------------------------------------------------------


def test_window_opens_and_closes_by_itself(client, set_config, monkeypatch):
    """Scheduled for 02:00-03:00: down at 02:00, back at 03:00, nobody touching anything."""
    day = timezone.now().date() + timedelta(days=1)
    two = datetime(day.year, day.month, day.day, 2, 0, tzinfo=timezone.get_current_timezone())
    three = two + timedelta(hours=1)
    set_config(enabled=True, starts_at=two, ends_at=three)
    clock = {"now": two - timedelta(minutes=1)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])

    assert client.get("/").status_code == 200  # 01:59
    clock["now"] = two  # 02:00
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "3600"
    clock["now"] = two + timedelta(minutes=30)  # 02:30
    assert client.get("/").headers["Retry-After"] == "1800"
    clock["now"] = three - timedelta(seconds=1)  # 02:59:59
    assert client.get("/").status_code == 503
    clock["now"] = three  # 03:00
    assert client.get("/").status_code == 200


def test_window_without_end_stays_until_switched_off(client, set_config, monkeypatch):
    start = timezone.now() + timedelta(minutes=10)
    set_config(enabled=True, starts_at=start)
    assert client.get("/").status_code == 200
    later = start + timedelta(days=30)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "3600"


# -- Retry-After ---------------------------------------------------------------------------


def test_retry_after_default(client, on):
    assert client.get("/")["Retry-After"] == "3600"


@override_settings(MAINTENANCE_MODE_RETRY_AFTER=120)
def test_retry_after_setting(client, on):
    assert client.get("/")["Retry-After"] == "120"


@pytest.mark.parametrize("value", [0, None])
def test_retry_after_omitted(client, on, value):
    with override_settings(MAINTENANCE_MODE_RETRY_AFTER=value):
        response = client.get("/")
    assert response.status_code == 503
    assert "Retry-After" not in response


def test_retry_after_counts_down_to_the_end(client, set_config):
    set_config(enabled=True, ends_at=timezone.now() + timedelta(minutes=10))
    assert 590 < int(client.get("/")["Retry-After"]) <= 600


# -- HTML, headers ---------------------------------------------------------------------


def test_html_page(client, on):
    response = client.get("/")
    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "Expires" in response
    page = response.content.decode()
    assert "Upgrade" in page
    assert "Line one<br>Line &lt;two&gt;" in page


@override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
        }
    ]
)
def test_shipped_page_names_the_end_with_its_zone(client, set_config):
    end = datetime(2099, 12, 2, 18, 1, tzinfo=UTC)
    set_config(enabled=True, ends_at=end)
    page = client.get("/").content.decode()
    assert (
        'We expect to be back by <time datetime="2099-12-02T18:01:00+00:00">'
        "Dec. 2, 2099, 6:01 p.m. UTC</time>." in page
    )
    assert ".." not in page


@override_settings(MAINTENANCE_MODE_STATUS_CODE=500)
def test_status_code_setting(client, on):
    assert client.get("/").status_code == 500


@override_settings(MAINTENANCE_MODE_GET_CONTEXT="tests.test_responses.extra_context")
def test_get_context_dotted_path(client, on):
    assert "Context for /about-us/" in client.get("/about-us/").content.decode()


@override_settings(MAINTENANCE_MODE_GET_CONTEXT=extra_context)
def test_get_context_callable_sees_each_request(client, on):
    assert "Context for /one/" in client.get("/one/").content.decode()
    assert "Context for /two/" in client.get("/two/").content.decode()


# -- JSON and negotiation ------------------------------------------------------------------


def test_negotiated_json(client, set_config):
    end = timezone.now() + timedelta(hours=1)
    set_config(enabled=True, title="Upgrade", message="Soon.", ends_at=end)
    response = client.get("/api/things/", headers={"accept": "application/json"})
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "Accept" in response["Vary"]
    body = json.loads(response.content)
    assert set(body) == JSON_KEYS
    assert body["title"] == "Upgrade"
    assert body["message"] == "Soon."
    assert body["ends_at"] == end.isoformat()
    assert 3590 < body["retry_after"] <= 3600
    assert body["detail"]


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
        ("*/*", "text/html"),
        ("", "text/html"),
        ("application/json, text/plain;q=0.5", "application/json"),
        ("application/json;q=0.9, text/html", "text/html"),
    ],
)
def test_negotiation(client, on, accept, kind):
    response = client.get("/", headers={"accept": accept} if accept else {})
    assert response["Content-Type"].startswith(kind)
    assert "Accept" in response["Vary"]


@override_settings(MAINTENANCE_MODE_RESPONSE_TYPE="json")
def test_json_setting(client, on):
    response = client.get("/", headers={"accept": "text/html"})
    assert response["Content-Type"] == "application/json"
    assert set(json.loads(response.content)) == JSON_KEYS
    assert "Accept" not in response.get("Vary", "")


@override_settings(MAINTENANCE_MODE_RESPONSE_TYPE="html")
def test_html_setting(client, on):
    response = client.get("/", headers={"accept": "application/json"})
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("setting", [always_json, "tests.test_responses.always_json"])
def test_response_type_callable(client, on, setting):
    with override_settings(MAINTENANCE_MODE_RESPONSE_TYPE=setting):
        response = client.get("/")
    assert response["Content-Type"] == "application/json"


def test_json_without_window(client, on):
    body = client.get("/", headers={"accept": "application/json"}).json()
    assert body["ends_at"] is None
    assert body["retry_after"] == 3600


# -- redirect --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "path", "location"),
    [
        ("/about/", "/", "/about/"),  # a local path
        ("index", "/no-such-page/", "/"),  # a URL name
        ("https://status.example.com/", "/", "https://status.example.com/"),
    ],
)
def test_redirect(client, on, setting, path, location):
    with override_settings(MAINTENANCE_MODE_REDIRECT_URL=setting):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == location
        if location.startswith("/"):  # the target itself is exempt
            assert client.get(location).status_code == 200


# -- a setting that does not resolve: still the maintenance page, never a 500 ---------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"MAINTENANCE_MODE_RESPONSE_TYPE": "xml"},
        {"MAINTENANCE_MODE_RESPONSE_TYPE": "myproject.nowhere.choose"},
        {"MAINTENANCE_MODE_GET_CONTEXT": "myproject.nowhere.context"},
        {"MAINTENANCE_MODE_GET_CONTEXT": "tests.test_responses.JSON_KEYS"},
    ],
)
def test_unresolvable_hook_falls_back_and_is_logged(client, on, overrides, caplog):
    with override_settings(**overrides), caplog.at_level("ERROR", logger="maintenance_panel"):
        response = client.get("/")
    assert response.status_code == 503
    assert b"Upgrade" in response.content
    assert any(name in caplog.text for name in overrides)
