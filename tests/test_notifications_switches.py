"""The switch events, made from every save whoever made it: the admin, the command, the
Python API (and its token), code."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import Client

from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.models import MaintenanceConfig, Notification
from maintenance_panel.notifications import events, switches
from maintenance_panel.notifications.events import iso
from tests.helpers import PANEL, form_data, logged_in, save_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what waits for the commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def told() -> list[tuple[str, str]]:
    """(event, who) of every stored notification, oldest first."""
    return [
        (notification.event, notification.payload["changed_by"])
        for notification in Notification.objects.order_by("created_at", "pk")
    ]


def test_switching_from_code_on_then_off(committed: Any) -> None:
    with committed():
        config = save_config(enabled=True, title="Upgrade")
    switched_at = config.changed_at
    with committed():
        save_config(enabled=False)

    assert told() == [("switched_on", "code"), ("switched_off", "code")]
    on = Notification.objects.get(event="switched_on").payload
    assert (on["active"], on["title"], on["at"]) == (True, "Upgrade", iso(switched_at))


def test_the_command_is_named_with_its_os_user(committed: Any) -> None:
    with committed():
        call_command("maintenance_mode", "on", stdout=None)

    ((event, who),) = told()
    assert event == "switched_on"
    assert who.startswith("command line")


def test_an_api_token_is_named(committed: Any) -> None:
    with committed():
        set_maintenance_mode(True, label="API token deploy")

    assert told() == [("switched_on", "API token deploy")]


def test_the_admin_names_the_operator(committed: Any, operator: Any) -> None:
    client: Client = logged_in(operator)
    page = client.get(PANEL)
    data = {**form_data(page), "enabled": "on", "_save": "Save"}

    with committed():
        response = client.post(PANEL, data)

    assert response.status_code == 302
    assert told() == [("switched_on", "alice")]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": "New title"}, ["changed"]),
        ({"message": "New text"}, ["changed"]),
        ({"read_only": True}, ["changed"]),
        ({"scope_urls": "^/shop/"}, ["changed"]),
        ({"ignore_staff": True}, []),
        ({"ignore_urls": "^/healthz$"}, []),
    ],
)
def test_a_change_while_on_is_told_when_visitors_see_it(
    committed: Any, fields: dict[str, Any], expected: list[str]
) -> None:
    save_config(enabled=True)

    with committed():
        save_config(**fields)

    assert [event for event, _ in told()] == expected


def test_a_change_while_off_is_not_told(committed: Any) -> None:
    with committed():
        save_config(title="Prepared text", read_only=True)

    assert told() == []


def test_each_saved_change_is_told_once(committed: Any) -> None:
    with committed():
        config = save_config(enabled=True)

    assert switches.notify_change(config, {"enabled": [False, True]}, "code") is None
    assert Notification.objects.count() == 1


def test_a_rolled_back_change_is_not_told(committed: Any) -> None:
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        save_config(enabled=True)
        raise RuntimeError

    assert told() == []


def test_a_failure_to_store_never_breaks_the_change(
    committed: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("no such table: maintenance_panel_notification")

    monkeypatch.setattr(events, "store", broken)

    with caplog.at_level(logging.ERROR, logger="maintenance_panel"), committed():
        save_config(enabled=True)

    assert MaintenanceConfig.get_solo().enabled
    assert "the notification of a change was not stored" in caplog.text
