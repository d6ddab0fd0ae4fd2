"""The switch on the admin's maintenance page: confirmation, CSRF, history, LogEntry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.utils import timezone

from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig
from maintenance_panel.signals import maintenance_mode_changed
from tests.helpers import PANEL, logged_in, panel_url, text

pytestmark = pytest.mark.django_db

TOGGLE = panel_url("toggle")


@pytest.fixture
def client(operator: Any) -> Client:
    return logged_in(operator)


def config() -> MaintenanceConfig:
    return MaintenanceConfig.get_solo()


def split(moment: Any) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {"0": local.strftime("%Y-%m-%d"), "1": local.strftime("%H:%M:%S")}


def window(**moments: Any) -> dict[str, str]:
    data = {}
    for name, moment in moments.items():
        parts = split(moment) if moment else {"0": "", "1": ""}
        data[f"{name}_0"], data[f"{name}_1"] = parts["0"], parts["1"]
    return data


def test_turning_on_asks_for_confirmation_first(client: Client) -> None:
    response = client.post(TOGGLE, {"enabled": "1"})

    assert response.status_code == 200
    assert "Turn maintenance mode on?" in text(response)
    assert "Yes, turn maintenance on" in text(response)
    assert "Who keeps using the site" in text(response)
    assert not config().enabled
    assert Client().get("/").status_code == 200


def test_confirming_turns_it_on(client: Client, operator: Any) -> None:
    response = client.post(TOGGLE, {"enabled": "1", "confirm": "1", **window(ends_at=None)})

    assert response.status_code == 302
    assert response["Location"] == PANEL
    assert config().enabled
    assert Client().get("/").status_code == 503
    page = client.get(PANEL)
    assert "Maintenance mode is on: visitors get the maintenance page." in text(page)
    assert "Maintenance mode is ON" in text(page)


def test_switch_writes_history_and_admin_log(client: Client, operator: Any) -> None:
    client.post(TOGGLE, {"enabled": "1", "confirm": "1"})

    change = MaintenanceChange.objects.get()
    assert change.source == "admin"
    assert change.user == operator
    assert change.changes["enabled"] == [False, True]
    entry = LogEntry.objects.get()
    assert entry.action_flag == CHANGE
    assert entry.user == operator
    assert entry.object_id == str(config().pk)
    assert entry.get_change_message() == "Changed maintenance mode on."
    assert config().changed_via == "alice"


def test_switch_sends_the_signal(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    received = []

    def receiver(**kwargs: Any) -> None:
        received.append(kwargs)

    maintenance_mode_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(TOGGLE, {"enabled": "1", "confirm": "1"})
    finally:
        maintenance_mode_changed.disconnect(receiver)

    assert [(r["new"], r["source"], r["actor"]) for r in received] == [(True, "admin", "alice")]


def test_confirming_with_a_window(client: Client) -> None:
    start = timezone.now() + timedelta(hours=1)
    end = start + timedelta(hours=2)

    response = client.post(
        TOGGLE,
        {"enabled": "1", "confirm": "1", **window(starts_at=start, ends_at=end)},
        follow=True,
    )

    assert "Maintenance is scheduled from" in text(response)
    assert "Maintenance mode is SCHEDULED" in text(response)
    stored = config()
    assert stored.enabled
    assert stored.starts_at == start.replace(microsecond=0)
    assert stored.ends_at == end.replace(microsecond=0)
    assert Client().get("/").status_code == 200


def test_confirmation_step_offers_the_saved_window(client: Client, set_config: Any) -> None:
    end = timezone.now() + timedelta(hours=3)
    set_config(ends_at=end)

    response = client.post(TOGGLE, {"enabled": "1"})

    assert response.context["form"].initial["ends_at"] == end


def test_end_in_the_past_is_a_field_error(client: Client) -> None:
    response = client.post(
        TOGGLE,
        {"enabled": "1", "confirm": "1", **window(ends_at=timezone.now() - timedelta(hours=1))},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == [
        "The end is in the past. Pick a later time or leave it empty."
    ]
    assert not config().enabled


def test_end_before_start_is_a_field_error(client: Client) -> None:
    start = timezone.now() + timedelta(hours=2)

    response = client.post(
        TOGGLE,
        {
            "enabled": "1",
            "confirm": "1",
            **window(starts_at=start, ends_at=start - timedelta(hours=1)),
        },
    )

    assert response.context["form"].errors["ends_at"] == ["The end must be after the start."]
    assert not config().enabled


def test_invalid_date_is_a_field_error(client: Client) -> None:
    response = client.post(
        TOGGLE, {"enabled": "1", "confirm": "1", "ends_at_0": "tomorrow", "ends_at_1": "x"}
    )

    assert "ends_at" in response.context["form"].errors
    assert not config().enabled


def test_start_now_drops_a_scheduled_start(client: Client) -> None:
    start = timezone.now() + timedelta(hours=2)
    set_maintenance_mode(True, start=start)

    response = client.post(TOGGLE, {"enabled": "1", "start_now": "1"})

    assert response.context["form"].initial["starts_at"] is None


def test_turning_off_needs_no_confirmation(client: Client, operator: Any) -> None:
    set_maintenance_mode(True)

    response = client.post(TOGGLE, {"enabled": "0"}, follow=True)

    assert "Maintenance mode is off: visitors see the site again." in text(response)
    assert not config().enabled
    assert Client().get("/").status_code == 200
    latest = MaintenanceChange.objects.first()
    assert latest is not None
    assert (latest.source, latest.user, latest.changes["enabled"]) == (
        "admin",
        operator,
        [True, False],
    )
    assert LogEntry.objects.filter(user=operator).count() == 1


def test_turning_off_when_off_changes_nothing(client: Client) -> None:
    response = client.post(TOGGLE, {"enabled": "0"}, follow=True)

    assert "Maintenance mode was already off." in text(response)
    assert not MaintenanceChange.objects.exists()
    assert not LogEntry.objects.exists()


def test_switch_refuses_get(client: Client) -> None:
    assert client.get(TOGGLE).status_code == 405
    assert not config().enabled


def test_switch_needs_csrf_token(operator: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)

    response = client.post(TOGGLE, {"enabled": "1", "confirm": "1"})

    assert response.status_code == 403
    assert not config().enabled


def test_switch_works_with_csrf_token(operator: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    page = client.get(PANEL)
    token = page.context["csrf_token"]

    response = client.post(TOGGLE, {"enabled": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    token = response.context["csrf_token"]
    response = client.post(TOGGLE, {"enabled": "1", "confirm": "1", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert config().enabled


def test_switch_fixed_by_settings_is_refused(client: Client, settings: Any) -> None:
    settings.MAINTENANCE_MODE = False

    response = client.post(TOGGLE, {"enabled": "1", "confirm": "1"}, follow=True)

    assert "Fixed off by the MAINTENANCE_MODE setting." in text(response)
    assert not config().enabled
    assert not MaintenanceChange.objects.exists()
