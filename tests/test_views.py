"""The app's own URLs: bypass links and the JSON status endpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from maintenance_panel import decision, state, views
from maintenance_panel.core import create_bypass_link, revoke_bypass_link
from maintenance_panel.models import BypassLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def on(set_config):
    return set_config(enabled=True, title="Down for upgrades")


def test_url_names():
    assert reverse("maintenance_panel:bypass", kwargs={"token": "abc"}) == (
        "/maintenance/bypass/abc/"
    )
    assert reverse("maintenance_panel:status") == "/maintenance/status/"


# -- bypass links ------------------------------------------------------------------------


def test_valid_link_sets_cookie_and_redirects(client, on):
    path = create_bypass_link("QA", expires_at=timedelta(hours=2))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "no-cache" in response["Cache-Control"]
    cookie = response.cookies["maintenance_bypass"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    assert 7100 < int(cookie["max-age"]) <= 7200
    assert signing.loads(cookie.value, salt=decision.BYPASS_SALT) == BypassLink.objects.get().pk
    page = client.get("/")
    assert page.status_code == 200


def test_cookie_is_secure_on_https(client, on):
    path = create_bypass_link("QA")
    response = client.get(path, secure=True)
    cookie = response.cookies["maintenance_bypass"]
    assert cookie["secure"] is True
    assert cookie["max-age"] == ""  # no expiry: a session cookie, ended by revoking


@override_settings(MAINTENANCE_MODE_BYPASS_COOKIE_NAME="let_me_in")
def test_cookie_name_setting(client, on):
    response = client.get(create_bypass_link("QA"))
    assert "let_me_in" in response.cookies
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/about/", "/about/"),
        ("/about/?tab=2", "/about/?tab=2"),
        ("//evil.com", "/"),
        ("//evil.com/path", "/"),
        ("https://evil.com", "/"),
        ("http://testserver/about/", "/"),
        ("/\\evil.com", "/"),
        ("\\\\evil.com", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        ("about/", "/"),
    ],
)
def test_redirects_only_to_a_local_next(client, on, next_url, location):
    response = client.get(create_bypass_link("QA"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == location


def test_wrong_token_gets_the_maintenance_page(client, on):
    create_bypass_link("QA")
    response = client.get("/maintenance/bypass/not-the-token/")
    assert response.status_code == 503
    assert b"Down for upgrades" in response.content
    assert "maintenance_bypass" not in response.cookies


def test_wrong_token_while_the_site_is_up_just_redirects(client, config):
    response = client.get("/maintenance/bypass/not-the-token/", {"next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/about/"
    assert "maintenance_bypass" not in response.cookies


def test_expired_link_gets_the_maintenance_page(client, on, monkeypatch):
    path = create_bypass_link("QA", expires_at=timedelta(minutes=5))
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(path)
    assert response.status_code == 503
    assert "maintenance_bypass" not in response.cookies


def test_expiry_ends_the_cookie(client, on, monkeypatch):
    client.get(create_bypass_link("QA", expires_at=timedelta(minutes=5)))
    assert client.get("/").status_code == 200
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get("/").status_code == 503


def test_revoked_link_and_its_cookies_end(client, on):
    path = create_bypass_link("QA")
    client.get(path)
    assert client.get("/").status_code == 200
    revoke_bypass_link("QA")
    assert client.get("/").status_code == 503
    response = client.get(path)
    assert response.status_code == 503
    assert "maintenance_bypass" not in response.cookies


def test_revoking_one_link_keeps_the_other(client, on):
    client.get(create_bypass_link("QA"))
    create_bypass_link("Support")
    revoke_bypass_link("Support")
    assert client.get("/").status_code == 200


def test_forged_cookie_is_ignored(client, on):
    link_pk = BypassLink.objects.create(name="QA", token_hash="0" * 64).pk
    client.cookies["maintenance_bypass"] = f"{link_pk}:forged"
    assert client.get("/").status_code == 503
    client.cookies["maintenance_bypass"] = signing.dumps(link_pk, salt="another-salt")
    assert client.get("/").status_code == 503


def test_post_is_not_allowed(client, on):
    path = create_bypass_link("QA")
    assert client.post(path).status_code == 405


def test_token_compared_in_constant_time(on, rf, monkeypatch):
    path = create_bypass_link("QA")
    create_bypass_link("Support")
    compared = []
    real = views.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(views.hmac, "compare_digest", spy)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    views.bypass(rf.get(path), token=token)
    # Every usable link is compared, whichever matches.
    assert len(compared) == 2


# -- status endpoint -------------------------------------------------------------------


def test_status_while_off(client, config):
    response = client.get("/maintenance/status/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "enabled": False,
        "active": False,
        "forced_by_settings": False,
        "window": {"starts_at": None, "ends_at": None, "phase": "none"},
        "next_window": None,
        "recurrence": None,
        "upcoming": None,
        "retry_after": None,
        "read_only": False,
        "scope": [],
    }


def test_status_reports_level_and_scope(client, set_config):
    set_config(enabled=True, read_only=True, scope_urls="^/checkout/\n^/api/v1/")
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS=[r"^/forum/"]):
        data = client.get("/maintenance/status/").json()
    assert data["active"] is True
    assert data["read_only"] is True
    assert data["scope"] == ["^/forum/", "^/checkout/", "^/api/v1/"]


def test_status_reachable_during_maintenance(client, set_config):
    end = timezone.now() + timedelta(minutes=30)
    set_config(enabled=True, ends_at=end)
    response = client.get("/maintenance/status/")
    assert response.status_code == 200
    data = response.json()
    assert data["enabled"] is True
    assert data["active"] is True
    assert data["window"] == {"starts_at": None, "ends_at": end.isoformat(), "phase": "open"}
    assert 1790 < data["retry_after"] <= 1800


def test_status_of_a_scheduled_window(client, set_config):
    start = timezone.now() + timedelta(hours=1)
    set_config(enabled=True, starts_at=start)
    data = client.get("/maintenance/status/").json()
    assert data["enabled"] is True
    assert data["active"] is False
    assert data["window"]["starts_at"] == start.isoformat()
    assert data["window"]["phase"] == "scheduled"


@override_settings(MAINTENANCE_MODE=True)
def test_status_when_settings_force(client, config):
    data = client.get("/maintenance/status/").json()
    assert data["active"] is True
    assert data["forced_by_settings"] is True
    assert data["retry_after"] == 3600


def test_status_answers_head_for_probes(client, config):
    assert client.head("/maintenance/status/").status_code == 200
    assert client.post("/maintenance/status/").status_code == 405


def test_database_down_gets_the_maintenance_page(client, on, monkeypatch):
    from django.db import OperationalError

    path = create_bypass_link("QA")
    state.get_snapshot()  # known before the outage

    def down(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(type(BypassLink.objects.all()), "usable", down)
    response = client.get(path)
    assert response.status_code == 503
    assert b"Down for upgrades" in response.content
