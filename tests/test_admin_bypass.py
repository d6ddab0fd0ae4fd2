"""Bypass links in the admin: made with an expiry, shown once, listed, revoked."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import timezone

from maintenance_panel.core import create_bypass_link, set_maintenance_mode
from maintenance_panel.models import BypassLink, MaintenanceChange, hash_token
from tests.factories import ViewerFactory
from tests.helpers import PANEL, logged_in, panel_url, text

pytestmark = pytest.mark.django_db

ADD = panel_url("bypass_add")


def revoke_url(link: BypassLink) -> str:
    return reverse("admin:maintenance_panel_maintenanceconfig_bypass_revoke", args=[link.pk])


@pytest.fixture
def client(operator: Any) -> Client:
    return logged_in(operator)


def new_link(**data: str) -> dict[str, str]:
    expires = timezone.localtime(timezone.now() + timedelta(days=1))
    return {
        "bypass-name": "QA team",
        "bypass-expires_at_0": expires.strftime("%Y-%m-%d"),
        "bypass-expires_at_1": expires.strftime("%H:%M:%S"),
        **data,
    }


def shown_url(response: Any) -> str:
    match = re.search(r'id="mp-link-url"[^>]*value="([^"]+)"', response.content.decode())
    assert match, "the new link is not on the page"
    return unescape(match.group(1))


def test_panel_offers_to_make_a_link(client: Client) -> None:
    body = text(client.get(PANEL))

    assert "Bypass links" in body
    assert "No bypass links yet." in body
    assert "Create link" in body


def test_making_a_link_shows_the_full_url_once(client: Client, operator: Any) -> None:
    response = client.post(ADD, new_link())

    assert response.status_code == 200
    url = shown_url(response)
    assert url.startswith("http://testserver/maintenance/bypass/")
    assert "no-store" in response["Cache-Control"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = BypassLink.objects.get()
    assert link.name == "QA team"
    assert link.created_by == operator
    assert link.token_hash == hash_token(token)
    assert link.expires_at is not None
    assert link.expires_at > timezone.now() + timedelta(hours=23)
    # Only the hash is kept: the secret is on no other page.
    assert token not in client.get(PANEL).content.decode()


def test_made_link_lets_its_holder_in(client: Client) -> None:
    url = shown_url(client.post(ADD, new_link()))
    set_maintenance_mode(True)
    visitor = Client()

    assert visitor.get("/").status_code == 503
    assert visitor.get(url.removeprefix("http://testserver")).status_code == 302
    assert visitor.get("/").status_code == 200


def test_making_a_link_is_recorded(client: Client, operator: Any) -> None:
    client.post(ADD, new_link())

    change = MaintenanceChange.objects.get()
    assert (change.source, change.user) == ("admin", operator)
    assert change.changes == {"bypass_link": [None, "QA team"]}
    assert LogEntry.objects.get().get_change_message() == "Added bypass link “QA team”."


def test_link_without_expiry(client: Client) -> None:
    response = client.post(ADD, new_link(**{"bypass-expires_at_0": "", "bypass-expires_at_1": ""}))

    assert response.status_code == 200
    assert BypassLink.objects.get().expires_at is None
    assert "It works until it is revoked." in text(response)


def test_duplicate_name_is_a_field_error(client: Client) -> None:
    create_bypass_link("QA team")

    response = client.post(ADD, new_link())

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "There is already a bypass link named “QA team”; pick another name."
    ]
    assert BypassLink.objects.count() == 1


def test_expiry_in_the_past_is_a_field_error(client: Client) -> None:
    past = timezone.localtime(timezone.now() - timedelta(hours=1))

    response = client.post(
        ADD,
        new_link(
            **{
                "bypass-expires_at_0": past.strftime("%Y-%m-%d"),
                "bypass-expires_at_1": past.strftime("%H:%M:%S"),
            }
        ),
    )

    assert response.context["form"].errors["expires_at"] == ["The expiry is in the past."]
    assert not BypassLink.objects.exists()


def test_missing_name_is_a_field_error(client: Client) -> None:
    response = client.post(ADD, new_link(**{"bypass-name": ""}))

    assert "name" in response.context["form"].errors
    assert not BypassLink.objects.exists()


def test_add_page_works_without_javascript(client: Client) -> None:
    response = client.get(ADD)

    assert response.status_code == 200
    assert 'name="bypass-name"' in response.content.decode()


def test_links_are_listed_with_their_status(client: Client) -> None:
    create_bypass_link("Active one", expires_at=timezone.now() + timedelta(days=1))
    create_bypass_link("Revoked one")
    BypassLink.objects.filter(name="Revoked one").update(revoked_at=timezone.now())
    create_bypass_link("Expired one", expires_at=timezone.now() + timedelta(days=1))
    BypassLink.objects.filter(name="Expired one").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    body = text(client.get(PANEL))

    assert re.search(r"Active one .*? active Revoke", body)
    assert re.search(r"Revoked one .*? never revoked", body)
    assert re.search(r"Expired one .*? expired", body)
    assert body.count("Revoke ") == 1


def test_revoking(client: Client, operator: Any) -> None:
    url = create_bypass_link("QA team")
    link = BypassLink.objects.get()
    set_maintenance_mode(True)
    holder = Client()
    holder.get(url)
    assert holder.get("/").status_code == 200

    response = client.post(revoke_url(link), follow=True)

    assert "Bypass link “QA team” is revoked" in text(response)
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert holder.get("/").status_code == 503
    assert MaintenanceChange.objects.filter(source="admin", user=operator).exists()
    assert LogEntry.objects.get().get_change_message() == (
        "Changed revoked at for bypass link “QA team”."
    )


def test_revoking_needs_post_and_csrf(operator: Any) -> None:
    create_bypass_link("QA team")
    link = BypassLink.objects.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)

    assert client.get(revoke_url(link)).status_code == 405
    assert client.post(revoke_url(link)).status_code == 403
    assert client.post(ADD, new_link(**{"bypass-name": "Other"})).status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None
    assert BypassLink.objects.count() == 1


def test_view_only_user_may_not_make_or_revoke_links() -> None:
    create_bypass_link("QA team")
    link = BypassLink.objects.get()
    client = Client()
    client.force_login(ViewerFactory())

    assert "QA team" in text(client.get(PANEL))
    assert client.post(ADD, new_link(**{"bypass-name": "Other"})).status_code == 403
    assert client.post(revoke_url(link)).status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None


def test_unknown_link_is_404(client: Client) -> None:
    response = client.post(
        reverse("admin:maintenance_panel_maintenanceconfig_bypass_revoke", args=[999])
    )

    assert response.status_code == 404


# -- without the app's URLs ----------------------------------------------------------------

#: A project that includes the admin but not maintenance_panel.urls.
urlpatterns = [path("admin/", admin.site.urls)]
WITHOUT_APP_URLS = override_settings(ROOT_URLCONF="tests.test_admin_bypass")
MISSING_LINE = 'path("maintenance/", include("maintenance_panel.urls"))'


@WITHOUT_APP_URLS
def test_panel_names_the_missing_include_instead_of_offering_the_form(client: Client) -> None:
    body = text(client.get(PANEL))

    assert "Bypass links need the app's URLs" in body
    assert MISSING_LINE in body
    assert "Create link" not in body


@WITHOUT_APP_URLS
def test_making_a_link_without_the_app_urls_is_a_form_error(client: Client) -> None:
    response = client.post(ADD, new_link())

    assert response.status_code == 200
    assert MISSING_LINE in text(response)
    assert not BypassLink.objects.exists()


def test_panel_with_the_app_urls_says_nothing_is_missing(client: Client) -> None:
    assert "Bypass links need the app's URLs" not in text(client.get(PANEL))
