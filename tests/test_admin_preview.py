"""The preview: the maintenance page as a visitor would get it, with unsaved text."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig
from tests.factories import OperatorFactory, ViewerFactory
from tests.helpers import PANEL, logged_in, panel_url

pytestmark = pytest.mark.django_db

PREVIEW = panel_url("preview")


@pytest.fixture
def client(operator: Any) -> Client:
    return logged_in(operator)


def test_preview_shows_the_unsaved_text(client: Client, set_config: Any) -> None:
    set_config(title="Saved title", message="Saved message")

    response = client.post(PREVIEW, {"title": "Back soon", "message": "Line one\nLine two"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Back soon" in body
    assert "Line one<br>Line two" in body
    assert "Saved title" not in body
    # Nothing was saved.
    assert MaintenanceConfig.get_solo().title == "Saved title"
    assert not MaintenanceChange.objects.filter(source="admin").exists()


def test_preview_is_exactly_what_a_visitor_gets(client: Client, set_config: Any) -> None:
    set_config(title="Back soon", message="We are moving.\nSee you.")
    set_maintenance_mode(True)
    visitor_page = Client().get("/")
    assert visitor_page.status_code == 503

    preview = client.post(PREVIEW, {"title": "Back soon", "message": "We are moving.\nSee you."})

    assert preview.content == visitor_page.content
    assert "alice" not in preview.content.decode()


def test_preview_escapes_html(client: Client) -> None:
    body = client.post(PREVIEW, {"title": "<script>x()</script>", "message": "<b>hi</b>"})

    assert "<script>x()" not in body.content.decode()
    assert "&lt;script&gt;" in body.content.decode()
    assert "&lt;b&gt;hi&lt;/b&gt;" in body.content.decode()


@pytest.fixture
def rendered(monkeypatch: Any) -> list[dict[str, Any]]:
    """The contexts the preview renders the maintenance template with."""
    from django.template import loader

    contexts: list[dict[str, Any]] = []
    render = loader.render_to_string

    def spy(template: str, context: dict[str, Any], **kwargs: Any) -> str:
        contexts.append(context)
        return render(template, context, **kwargs)

    monkeypatch.setattr(loader, "render_to_string", spy)
    return contexts


def test_preview_uses_the_posted_window(client: Client, rendered: Any) -> None:
    end = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(microsecond=0)

    client.post(
        PREVIEW,
        {
            "title": "t",
            "message": "m",
            "ends_at_0": end.strftime("%Y-%m-%d"),
            "ends_at_1": end.strftime("%H:%M:%S"),
        },
    )

    [context] = rendered
    assert context["ends_at"] == end
    assert 7100 < context["retry_after"] <= 7200
    assert context["maintenance_page"] is True


def test_preview_of_empty_text_shows_the_defaults(client: Client, rendered: Any) -> None:
    client.post(PREVIEW, {"title": "", "message": ""})

    [context] = rendered
    assert (context["title"], context["message"]) == (
        "Website unavailable",
        "Please try again later.",
    )


def test_preview_is_not_cached_or_indexed(client: Client) -> None:
    response = client.post(PREVIEW, {"title": "x"})

    assert "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_preview_with_project_context(client: Client, settings: Any) -> None:
    seen = []

    def context(request: Any) -> dict[str, Any]:
        seen.append(request.user.is_authenticated)
        return {"message": "from the project"}

    settings.MAINTENANCE_MODE_GET_CONTEXT = context

    body = client.post(PREVIEW, {"title": "x", "message": "typed"}).content.decode()

    assert "from the project" in body
    assert seen == [False]  # rendered for a visitor, not for the admin


def test_view_only_user_previews_the_saved_text(set_config: Any) -> None:
    set_config(title="Saved title")
    client = Client()
    client.force_login(ViewerFactory())

    response = client.post(PREVIEW, {})

    assert response.status_code == 200
    assert "Saved title" in response.content.decode()


def test_preview_needs_post_and_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(OperatorFactory())

    assert client.get(PREVIEW).status_code == 405
    assert client.post(PREVIEW, {"title": "x"}).status_code == 403
    token = client.get(PANEL).context["csrf_token"]
    assert client.post(PREVIEW, {"title": "x", "csrfmiddlewaretoken": token}).status_code == 200


def test_preview_button_posts_the_form_to_a_new_tab(client: Client) -> None:
    body = client.get(PANEL).content.decode()

    assert f'formaction="{PREVIEW}"' in body
    assert 'formtarget="_blank"' in body


def test_enter_in_a_field_saves_rather_than_previews(client: Client) -> None:
    body = client.get(PANEL).content.decode()

    # A browser submits a form on Enter with its first submit button.
    first_submit = re.search(r'<button type="submit"[^>]*name="(\w+)"', body)
    assert first_submit is not None
    assert first_submit.group(1) == "_save"
    assert body.index('name="_save"') < body.index('name="_preview"')
