"""API tokens in the admin: the list, a new token shown once, revoking."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import path, reverse

from maintenance_panel import core
from maintenance_panel.models import ApiToken, MaintenanceChange
from tests.factories import StaffFactory, SuperuserFactory, grant

pytestmark = pytest.mark.django_db

#: A project that includes the admin but not maintenance_panel.urls.
urlpatterns = [path("admin/", admin.site.urls)]

LIST = "admin:maintenance_panel_apitoken_changelist"
ADD = "admin:maintenance_panel_apitoken_add"


@pytest.fixture
def admin_client(client):
    client.force_login(SuperuserFactory(username="root"))
    return client


def test_a_new_token_is_shown_once_and_works(admin_client, client):
    response = admin_client.post(
        reverse(ADD),
        {"name": "deploy", "scopes": ["read", "switch"], "expires_at_0": "", "expires_at_1": ""},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "API token created" in html
    raw = re.search(r'value="(mcp_[^"]+)"', html).group(1)
    assert "shown only this once" in html
    assert "http://testserver/maintenance/api/" in html
    token = ApiToken.objects.get()
    assert token.created_by.username == "root"
    assert token.scopes == ["read", "switch"]
    assert LogEntry.objects.get().object_repr == "deploy"
    assert MaintenanceChange.objects.get().actor == "root"
    api = client.get("/maintenance/api/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200
    # The list and the token's page never show it again.
    assert raw not in admin_client.get(reverse(LIST)).content.decode()
    page = admin_client.get(reverse("admin:maintenance_panel_apitoken_change", args=[token.pk]))
    assert raw not in page.content.decode()
    assert token.public_id in page.content.decode()


def test_the_add_form_refuses_what_it_must(admin_client):
    core.create_api_token("deploy")
    response = admin_client.post(
        reverse(ADD),
        {"name": "deploy", "scopes": [], "expires_at_0": "2001-01-01", "expires_at_1": "00:00"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"name", "scopes", "expires_at"}
    assert "expiry is in the past" in str(errors["expires_at"])
    assert ApiToken.objects.count() == 1


def test_the_list_shows_scopes_state_and_last_use(admin_client, client):
    raw = core.create_api_token("deploy")
    core.create_api_token("status page", scopes=["read"])
    core.revoke_api_token("status page")
    client.get("/maintenance/api/", HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="192.0.2.5")
    html = admin_client.get(reverse(LIST)).content.decode()
    assert "read, switch" in html
    assert "from 192.0.2.5" in html
    assert "revoked" in html
    assert "never" in html


def test_the_revoke_action(admin_client):
    core.create_api_token("one")
    core.create_api_token("two")
    response = admin_client.post(
        reverse(LIST),
        {
            "action": "revoke_selected",
            "_selected_action": list(ApiToken.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    assert "2 API tokens revoked" in response.content.decode()
    assert not ApiToken.objects.usable().exists()
    assert MaintenanceChange.objects.first().changes == {"api_token": ["two", "revoked"]}


def test_the_revoke_button_on_a_tokens_page(admin_client):
    core.create_api_token("deploy")
    token = ApiToken.objects.get()
    page = admin_client.get(reverse("admin:maintenance_panel_apitoken_change", args=[token.pk]))
    revoke = reverse("admin:maintenance_panel_apitoken_revoke", args=[token.pk])
    assert f'formaction="{revoke}"' in page.content.decode()
    response = admin_client.post(revoke, follow=True)
    assert "API token “deploy” is revoked" in response.content.decode()
    assert ApiToken.objects.get().revoked_at is not None
    assert LogEntry.objects.get().change_message == '[{"changed": {"fields": ["revoked at"]}}]'
    page = admin_client.get(reverse("admin:maintenance_panel_apitoken_change", args=[token.pk]))
    assert f'formaction="{revoke}"' not in page.content.decode()
    assert admin_client.get(revoke).status_code == 302


def test_revoking_needs_the_change_permission(client):
    core.create_api_token("deploy")
    viewer = StaffFactory(username="viewer")
    grant(viewer, "view_apitoken")
    client.force_login(viewer)
    token = ApiToken.objects.get()
    assert client.get(reverse(LIST)).status_code == 200
    response = client.post(reverse("admin:maintenance_panel_apitoken_revoke", args=[token.pk]))
    assert response.status_code == 403
    assert ApiToken.objects.get().revoked_at is None
    assert client.get(reverse(ADD)).status_code == 403


def test_the_history_names_the_token(admin_client):
    core.create_api_token("deploy")
    html = admin_client.get(reverse("admin:maintenance_panel_maintenancechange_changelist"))
    assert "API token" in html.content.decode()


def test_saving_a_tokens_page_changes_nothing(admin_client):
    core.create_api_token("deploy", scopes=["read"])
    token = ApiToken.objects.get()
    url = reverse("admin:maintenance_panel_apitoken_change", args=[token.pk])
    admin_client.post(url, {"name": "renamed", "scopes": ["read", "switch"]})
    token.refresh_from_db()
    assert (token.name, token.scopes) == ("deploy", ["read"])


def test_a_use_without_an_address_shows_the_time_only(admin_client):
    from maintenance_panel import tokens

    raw = core.create_api_token("deploy")
    tokens.note_use(tokens.authenticate(raw).token, None)
    html = admin_client.get(reverse(LIST)).content.decode()
    [cell] = re.findall(r'class="field-last_use">([^<]*)<', html)
    assert cell
    assert "from" not in cell


@pytest.mark.urls("tests.test_admin_tokens")  # the admin without the app's URLs
def test_a_new_token_without_the_apps_urls_shows_no_example(admin_client):
    response = admin_client.post(
        reverse(ADD), {"name": "deploy", "scopes": ["read"], "expires_at_0": "", "expires_at_1": ""}
    )
    assert response.status_code == 200
    assert "mcp_" in response.content.decode()
    assert "curl" not in response.content.decode()
