"""The admin panel and read-only maintenance and the scope: switch, status, form,
history, preview, banner."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig
from tests.helpers import PANEL, form_data, logged_in, panel_url, text

pytestmark = pytest.mark.django_db

TOGGLE = panel_url("toggle")


@pytest.fixture
def client(operator: Any) -> Client:
    return logged_in(operator)


def test_panel_offers_both_levels(client: Client) -> None:
    page = text(client.get(PANEL))
    assert "Turn maintenance on" in page
    assert "Turn read-only on" in page


def test_read_only_asks_for_confirmation_showing_what_visitors_get(client: Client) -> None:
    response = client.post(TOGGLE, {"enabled": "1", "read_only": "1"})
    page = text(response)
    assert response.status_code == 200
    assert "Turn read-only maintenance on?" in page
    assert "Visitors will keep reading the site as usual" in page
    assert "Changes are paused" in page  # the default title of the read-only page
    assert "Yes, turn read-only on" in page
    assert not MaintenanceConfig.get_solo().enabled


def test_full_confirmation_is_unchanged(client: Client) -> None:
    page = text(client.post(TOGGLE, {"enabled": "1", "read_only": "0"}))
    assert "Turn maintenance mode on?" in page
    assert "Visitors will get the maintenance page instead of the site" in page


def test_confirming_read_only(client: Client) -> None:
    response = client.post(TOGGLE, {"enabled": "1", "read_only": "1", "confirm": "1"})
    assert response.status_code == 302
    config = MaintenanceConfig.get_solo()
    assert config.enabled
    assert config.read_only
    visitor = Client()
    assert visitor.get("/").status_code == 200
    page = text(client.get(PANEL))
    assert "Read-only maintenance is on: visitors can read the site" in page
    assert "Maintenance mode is READ-ONLY" in page
    assert "Visitors can read the site; changes they send get the maintenance page." in page
    assert "Read-only maintenance is ON" in page  # the admin banner


def test_turning_full_on_after_read_only_switches_the_level(client: Client) -> None:
    set_maintenance_mode(True, read_only=True)
    set_maintenance_mode(False)
    client.post(TOGGLE, {"enabled": "1", "read_only": "0", "confirm": "1"})
    assert MaintenanceConfig.get_solo().read_only is False
    assert Client().get("/").status_code == 503


def test_status_names_the_scope(client: Client) -> None:
    set_maintenance_mode(True, scope=["^/checkout/", "^/api/v1/"])
    page = text(client.get(PANEL))
    assert "Scope: only /checkout/ and /api/v1/; the rest of the site is up." in page
    confirm = text(client.post(TOGGLE, {"enabled": "1"}))
    assert "Scope: only /checkout/ and /api/v1/." in confirm


def test_scope_with_a_real_pattern_is_shown_as_written(client: Client) -> None:
    set_maintenance_mode(True, scope=[r"^/shop/\d+/buy/$"])
    assert r"only ^/shop/\d+/buy/$" in text(client.get(PANEL))


def test_form_edits_level_and_scope_and_history_records_them(client: Client) -> None:
    page = client.get(PANEL)
    assert "Level and scope" in text(page)
    data = form_data(page)
    data.update(read_only="on", scope_urls="^/checkout/\n^/api/v1/")
    response = client.post(PANEL, data)
    assert response.status_code == 302
    config = MaintenanceConfig.get_solo()
    assert config.read_only is True
    assert config.scope_urls == "^/checkout/\n^/api/v1/"
    change = MaintenanceChange.objects.first()
    assert change.changes["read_only"] == [False, True]
    history = text(client.get(PANEL))
    assert "Read-only: full → to read-only" in history
    assert "Only these URLs: the whole site → to ^/checkout/ ^/api/v1/" in history


def test_form_names_the_bad_scope_line(client: Client) -> None:
    data = form_data(client.get(PANEL))
    data.update(scope_urls="^/ok/\n^/(broken/")
    response = client.post(PANEL, data)
    assert response.status_code == 200
    assert "Line 2: “^/(broken/” is not a valid regular expression" in text(response)
    assert MaintenanceConfig.get_solo().scope_urls == ""


@override_settings(MAINTENANCE_MODE_READ_ONLY=True)
def test_level_fixed_by_settings(client: Client) -> None:
    page = client.get(PANEL)
    assert page.context["adminform"].form.fields["read_only"].disabled
    body = text(page)
    assert "Fixed to read-only by the MAINTENANCE_MODE_READ_ONLY setting." in body
    assert "Turn read-only on" in body
    assert "Turn maintenance on" not in body
    client.post(TOGGLE, {"enabled": "1", "read_only": "0", "confirm": "1"})
    config = MaintenanceConfig.get_solo()
    assert config.enabled
    assert config.read_only is False  # stored level untouched; the setting decides
    assert Client().get("/").status_code == 200


def test_preview_shows_the_read_only_page_when_chosen(client: Client) -> None:
    preview = panel_url("preview")
    read_only = client.post(preview, {"title": "", "message": "", "read_only": "on"})
    assert "Changes are paused" in read_only.content.decode()
    full = client.post(preview, {"title": "", "message": ""})
    assert "Changes are paused" not in full.content.decode()


def test_preview_without_the_form_uses_the_stored_level(client: Client) -> None:
    set_maintenance_mode(False, read_only=True)
    response = client.post(panel_url("preview"), {})
    assert "Changes are paused" in response.content.decode()


def test_panel_is_never_locked_in_read_only(client: Client, set_config: Any) -> None:
    set_config(enabled=True, read_only=True, ignore_admin_site=False)
    assert client.get(PANEL).status_code == 200
    response = client.post(TOGGLE, {"enabled": "0"})
    assert response.status_code == 302
    assert MaintenanceConfig.get_solo().enabled is False


def test_rest_of_held_back_admin_is_read_only(client: Client, set_config: Any) -> None:
    set_config(enabled=True, read_only=True, ignore_admin_site=False)
    assert client.get("/admin/maintenance_panel/maintenancechange/").status_code == 200
    response = client.post("/admin/logout/")  # login and logout stay reachable
    assert response.status_code == 200


def test_bypass_link_lets_its_holder_write() -> None:
    from maintenance_panel.core import create_bypass_link

    set_maintenance_mode(True, read_only=True)
    link = create_bypass_link("QA")
    visitor = Client()
    visitor.get(link)
    with override_settings(ROOT_URLCONF="tests.readonly_urls"):
        assert visitor.post("/sign/").status_code == 200
        assert Client().post("/sign/").status_code == 503
