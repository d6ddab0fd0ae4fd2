"""The history on the admin's maintenance page and the list of all changes."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from maintenance_panel.admin import HISTORY_ON_PANEL
from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.models import MaintenanceChange
from maintenance_panel.models import history as change_history
from tests.factories import OperatorFactory, SuperuserFactory
from tests.helpers import PANEL, logged_in, text

pytestmark = pytest.mark.django_db

CHANGES = reverse("admin:maintenance_panel_maintenancechange_changelist")


@pytest.fixture
def client(operator: Any) -> Client:
    return logged_in(operator)


def test_history_lists_changes_from_every_source_newest_first(
    client: Client, set_config: Any
) -> None:
    set_maintenance_mode(True, label="command line (deploy)", source="command")
    set_maintenance_mode(False, source="api")
    with change_history.recording(source="admin", user=OperatorFactory(username="bob")):
        set_config(title="Back soon")

    body = text(client.get(PANEL))

    history = body[body.index("History Every change") :]
    rows = [
        history.index("bob (admin) Title: (empty) → to Back soon"),
        history.index("Python API Maintenance mode on: on → to off"),
        history.index("command line (deploy) (command line) Maintenance mode on: off → to on"),
    ]
    assert rows == sorted(rows)


def test_history_shows_the_latest_entries_only(client: Client) -> None:
    for number in range(HISTORY_ON_PANEL + 3):
        set_maintenance_mode(number % 2 == 0)

    response = client.get(PANEL)

    assert len(response.context["panel"]["history"]) == HISTORY_ON_PANEL
    assert "All changes" in text(response)


def test_history_formats_values(client: Client, set_config: Any) -> None:
    from datetime import datetime

    set_config(
        starts_at=datetime(2030, 1, 2, 3, 4, tzinfo=UTC),
        ignore_ip_addresses="10.0.0.0/8",
        ignore_staff=True,
    )

    body = text(client.get(PANEL))

    assert "Starts at: (empty) → to Jan. 2, 2030, 3:04 a.m." in body
    assert "Staff users see the site: no → to yes" in body
    assert "IP addresses and networks: (empty) → to 10.0.0.0/8" in body


def test_empty_history(client: Client) -> None:
    assert "No changes recorded yet." in text(client.get(PANEL))


def test_all_changes_page_is_read_only(client: Client) -> None:
    set_maintenance_mode(True, source="api")

    response = client.get(CHANGES)

    assert response.status_code == 200
    assert "Maintenance mode on: off → on" in text(response)
    assert " UTC</time>" in response.content.decode()
    change = MaintenanceChange.objects.get()
    detail = client.get(
        reverse("admin:maintenance_panel_maintenancechange_change", args=[change.pk])
    )
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert (
        client.post(
            reverse("admin:maintenance_panel_maintenancechange_delete", args=[change.pk])
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:maintenance_panel_maintenancechange_add")).status_code == 403


def test_admin_history_page_shows_admin_changes() -> None:
    user = SuperuserFactory()
    client = Client()
    client.force_login(user)
    client.post(
        reverse("admin:maintenance_panel_maintenanceconfig_toggle"),
        {"enabled": "1", "confirm": "1"},
    )

    response = client.get(reverse("admin:maintenance_panel_maintenanceconfig_history"))

    assert "Changed maintenance mode on." in text(response)
