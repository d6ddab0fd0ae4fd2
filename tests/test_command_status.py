"""``maintenance_mode status``: the state, why, who is exempt, in text and JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from maintenance_panel.models import MaintenanceConfig
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    out = StringIO()
    call_command("maintenance_mode", *args, stdout=out)
    return out.getvalue()


def stored() -> MaintenanceConfig:
    return MaintenanceConfig.objects.get()


# -- status ------------------------------------------------------------------------------


def test_status_off():
    output = run("status")
    assert "Maintenance mode is OFF" in output
    assert "Why: the switch is off." in output
    assert "Window: none" in output


def test_status_lists_window_and_exemptions(set_config):
    group = GroupFactory(name="QA")
    user = UserFactory(username="alice")
    set_config(
        enabled=True,
        ends_at=timezone.now() + timedelta(hours=1),
        ignore_staff=True,
        ignore_ip_addresses="203.0.113.7\n10.0.0.0/8",
        ignore_urls="^/api/",
        ignore_groups=[group],
        ignore_users=[user],
    )
    run("bypass", "create", "Support", "--expires", "+1d")
    output = run("status")
    assert "Maintenance mode is ON" in output
    assert "Why: the switch is on and the window is open until" in output
    assert "Retry-After: " in output
    assert "  staff users: yes" in output
    assert "  superusers: no" in output
    assert "  groups: QA" in output
    assert "  users: alice" in output
    assert "  IP addresses: 203.0.113.7, 10.0.0.0/8" in output
    assert "  URLs: ^/healthz$ (settings), ^/api/" in output
    assert "  bypass links: Support (until " in output


@override_settings(
    MAINTENANCE_MODE=True,
    MAINTENANCE_MODE_IGNORE_STAFF=False,
    MAINTENANCE_MODE_IGNORE_IP_ADDRESSES=["192.0.2.1", "2001:db8::/32"],
)
def test_status_names_the_settings_that_fix_things():
    output = run("status")
    assert "  IP addresses: 192.0.2.1 (settings), 2001:db8::/32 (settings)" in output
    assert "Why: fixed by the setting MAINTENANCE_MODE = True." in output
    assert "staff users: no (fixed by MAINTENANCE_MODE_IGNORE_STAFF)" in output


def test_status_json_for_scripts(set_config):
    start = timezone.now() + timedelta(hours=3)
    set_config(enabled=True, starts_at=start, ends_at=start + timedelta(hours=1))
    data = json.loads(run("status", "--json"))
    assert data["active"] is False
    assert data["enabled"] is True
    assert data["reason"] == "window"
    assert data["window"]["phase"] == "scheduled"
    assert datetime.fromisoformat(data["window"]["starts_at"]) == start.replace(
        microsecond=start.microsecond // 1000 * 1000
    )
    assert data["retry_after"] is None
    assert data["exemptions"]["admin_site"] == {"exempt": True, "fixed_by_settings": False}
    assert data["exemptions"]["urls"]["settings"] == ["^/healthz$"]


def test_status_after_the_window():
    config = MaintenanceConfig.get_solo()
    config.enabled = True
    config.starts_at = timezone.now() - timedelta(hours=2)
    config.ends_at = timezone.now() - timedelta(hours=1)
    config.save()
    output = run("status")
    assert "Maintenance mode is OFF" in output
    assert "the window ended at" in output
    assert "(ended)" in output


def test_status_shows_title_and_message(set_config):
    set_config(enabled=True, title="Upgrade", message="Back at noon.")
    output = run("status")
    assert "Title: Upgrade" in output
    assert "Message: Back at noon." in output


def test_status_shows_level_and_scope():
    run("on", "--read-only", "--scope", "^/checkout/")
    with override_settings(MAINTENANCE_MODE_SCOPE_URLS=["^/forum/"]):
        output = run("status")
    assert "Level: read-only" in output
    assert "Scope: only ^/forum/ (settings), ^/checkout/" in output
    run("on", "--whole-site", "--full")
    assert "Level: full" in run("status")
    assert "Scope: the whole site" in run("status")


def test_status_json_has_level_and_scope():
    run("on", "--read-only", "--scope", "^/checkout/")
    data = json.loads(run("status", "--json"))
    assert data["read_only"] is True
    assert data["scope"] == ["^/checkout/"]
