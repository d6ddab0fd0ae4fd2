"""The maintenance response is made once per state and language, then reused."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.template import loader
from django.test import Client, override_settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from maintenance_panel import pages, responses, state
from maintenance_panel.models import MaintenanceConfig
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls")]

REVEALING_503 = {
    "503.html": "{{ title }}|user={{ user.get_username }}|csrf={{ csrf_token }}|"
    "request={{ request.path }}|lang={{ LANGUAGE_CODE }}",
}
LOCMEM_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.contrib.auth.context_processors.auth",
            ],
            "loaders": [("django.template.loaders.locmem.Loader", REVEALING_503)],
        },
    }
]


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the templates rendered for the maintenance page."""
    rendered: list[str] = []
    real = loader.render_to_string

    def counting(template_name: str, *args: Any, **kwargs: Any) -> str:
        rendered.append(template_name)
        return real(template_name, *args, **kwargs)

    monkeypatch.setattr(pages.loader, "render_to_string", counting)
    return rendered


def switch_on(**fields: Any) -> MaintenanceConfig:
    config = MaintenanceConfig.get_solo()
    config.enabled = True
    for name, value in fields.items():
        setattr(config, name, value)
    config.save()
    return config


def test_page_is_rendered_once_per_state(client, renders):
    switch_on(title="First")
    bodies = {client.get("/").content for _ in range(5)}
    assert renders == ["503.html"]
    assert len(bodies) == 1
    assert b"First" in bodies.pop()
    switch_on(title="Second")
    assert b"Second" in client.get("/").content
    assert client.get("/").status_code == 503
    assert renders == ["503.html", "503.html"]


def test_page_is_rendered_once_per_language(client, renders):
    switch_on()
    with override_settings(TEMPLATES=LOCMEM_TEMPLATES), translation.override("en"):
        english = client.get("/", headers={"accept-language": "en"})
    with override_settings(
        TEMPLATES=LOCMEM_TEMPLATES,
        LANGUAGES=[("en", "English"), ("de", "German")],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.locale.LocaleMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "maintenance_panel.middleware.MaintenanceModeMiddleware",
        ],
    ):
        visitor = Client()  # loads the middleware above
        german = visitor.get("/", headers={"accept-language": "de"})
        visitor.get("/", headers={"accept-language": "de"})
    assert english.status_code == german.status_code == 503
    assert b"lang=de" in german.content
    assert b"lang=en" in english.content
    assert len(renders) == 2


def test_shared_page_carries_no_visitor_data(client):
    with override_settings(TEMPLATES=LOCMEM_TEMPLATES):
        switch_on(title="Down")
        client.force_login(UserFactory(username="alice"))
        body = client.get("/").content.decode()
        assert body.startswith("Down|user=|csrf=|request=|lang=en")


def test_get_context_renders_per_request_with_the_request(client, renders):
    with override_settings(
        TEMPLATES=LOCMEM_TEMPLATES,
        MAINTENANCE_MODE_GET_CONTEXT=lambda request: {"title": f"for {request.path}"},
    ):
        switch_on()
        client.force_login(UserFactory(username="bob"))
        first = client.get("/").content.decode()
        client.get("/").content.decode()
    assert first.startswith("for /|user=bob|")
    assert len(renders) == 2


def test_template_setting_change_is_seen_at_once(client):
    switch_on(title="Down")
    client.get("/")
    with override_settings(
        TEMPLATES=LOCMEM_TEMPLATES,
    ):
        assert client.get("/").content.startswith(b"Down|user=")


def test_headers(client):
    switch_on()
    response = client.get("/", headers={"accept": "text/html"})
    expected = HttpResponse()
    add_never_cache_headers(expected)
    assert response.status_code == 503
    assert response["Cache-Control"] == expected["Cache-Control"]
    assert "Expires" in response
    assert response["Retry-After"] == "3600"
    assert response["Vary"].startswith("Accept")
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_negotiation_is_remembered_per_accept_header(client):
    switch_on(title="Down")
    for _ in range(2):
        as_json = client.get("/", headers={"accept": "application/json"})
        as_html = client.get("/", headers={"accept": "text/html,*/*;q=0.8"})
        assert as_json["Content-Type"] == "application/json"
        assert as_json.json()["title"] == "Down"
        assert as_html["Content-Type"].startswith("text/html")
    assert responses._negotiated["application/json"] == "json"


def test_json_body_is_made_once_per_state(client, monkeypatch):
    switch_on(title="Down")
    calls = []
    real = responses.json_payload
    monkeypatch.setattr(
        responses, "json_payload", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs)
    )
    for _ in range(3):
        assert client.get("/", headers={"accept": "application/json"}).status_code == 503
    assert len(calls) == 1


def test_retry_after_counts_down_to_the_end(client):
    from datetime import timedelta

    from django.utils import timezone

    switch_on(ends_at=timezone.now() + timedelta(minutes=30))
    seconds = int(client.get("/")["Retry-After"])
    assert 1790 <= seconds <= 1800


def test_cache_is_bounded(client):
    switch_on()
    snapshot = state.get_snapshot()
    for number in range(responses._MAX_BODIES + 10):
        responses._remember(("test", number), b"x")
    assert len(responses._bodies) <= responses._MAX_BODIES
    assert responses._render_html(None, snapshot, 3600, False)  # type: ignore[arg-type]
