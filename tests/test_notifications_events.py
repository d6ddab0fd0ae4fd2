"""The webhook document of an event, and storing an event once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from maintenance_panel.models import Delivery, MaintenanceConfig, Notification
from maintenance_panel.notifications import delivery, events
from maintenance_panel.snapshot import Snapshot
from maintenance_panel.windows import Window
from tests.factories import GroupFactory, UserFactory

AT = datetime(2026, 12, 6, 12, 3, tzinfo=UTC)
HOOKS = [{"url": "https://hooks.example.com/in?token=abc", "secret": "s3cret"}]


def snapshot(**data: Any) -> Snapshot:
    return Snapshot.from_data(data, "test")


def test_payload_has_every_key_of_the_contract_json_ready() -> None:
    payload = events.build_payload(
        "switched_on",
        snapshot(enabled=True, title="Upgrade", message="Back soon", scope_urls="^/shop/"),
        at=AT,
        changed_by="alice",
    )

    assert json.loads(json.dumps(payload)) == {
        "event": "switched_on",
        "at": "2026-12-06T12:03:00+00:00",
        "active": True,
        "read_only": False,
        "scope": ["^/shop/"],
        "title": "Upgrade",
        "message": "Back soon",
        "starts_at": None,
        "ends_at": None,
        "changed_by": "alice",
        "site": "127.0.0.1",
    }


def test_payload_names_the_one_off_window_in_utc() -> None:
    starts = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    payload = events.build_payload(
        "changed",
        snapshot(enabled=True, starts_at=starts, ends_at=starts + timedelta(hours=1)),
        at=AT,
        changed_by="command line (ops)",
    )

    assert (payload["active"], payload["starts_at"], payload["ends_at"]) == (
        False,
        "2026-12-07T02:00:00+00:00",
        "2026-12-07T03:00:00+00:00",
    )


def test_payload_names_the_window_given_rather_than_the_one_off() -> None:
    occurrence = Window(datetime(2026, 12, 6, 12, 0, tzinfo=UTC), None)

    payload = events.build_payload(
        "window_opened", snapshot(enabled=True), at=AT, changed_by="", window=occurrence
    )

    assert (payload["starts_at"], payload["ends_at"]) == ("2026-12-06T12:00:00+00:00", None)


@override_settings(MAINTENANCE_MODE_READ_ONLY=True, ALLOWED_HOSTS=["*", ".shop.example"])
def test_payload_follows_the_settings() -> None:
    payload = events.build_payload("switched_on", snapshot(enabled=True), at=AT, changed_by="")

    assert (payload["read_only"], payload["site"]) == (True, "shop.example")


@pytest.mark.django_db
def test_store_keeps_the_event_and_makes_its_deliveries() -> None:
    config = MaintenanceConfig.get_solo()
    ops = GroupFactory(name="ops")
    config.notify_groups.set([ops])
    UserFactory(username="bob", groups=[ops])
    UserFactory(username="nomail", email="", groups=[ops])
    UserFactory(username="gone", is_active=False, groups=[ops])

    with override_settings(MAINTENANCE_MODE_WEBHOOKS=HOOKS):
        notification = events.store("switch:1", "switched_on", {"event": "switched_on"})

    assert notification is not None
    assert sorted(notification.deliveries.values_list("channel", "target")) == [
        ("email", "bob@example.com"),
        ("webhook", "https://hooks.example.com/in"),
    ]


@pytest.mark.django_db
def test_store_keeps_an_event_once() -> None:
    first = events.store("window:a|b:opened", "window_opened", {"n": 1})

    second = events.store("window:a|b:opened", "window_opened", {"n": 2})

    assert first is not None
    assert second is None
    assert list(Notification.objects.values_list("payload", flat=True)) == [{"n": 1}]


@pytest.mark.django_db
def test_a_refused_duplicate_leaves_the_callers_transaction_usable() -> None:
    events.store("k", "still_on", {})

    with transaction.atomic():
        assert events.store("k", "still_on", {}) is None
        assert Notification.objects.count() == 1


@pytest.mark.django_db
@override_settings(MAINTENANCE_MODE_WEBHOOKS=HOOKS)
def test_the_sender_is_woken_only_after_the_commit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    woken: list[bool] = []
    monkeypatch.setattr(delivery.sender, "wake", lambda: woken.append(True))

    with django_capture_on_commit_callbacks(execute=True):
        events.store("k", "switched_off", {})
        assert woken == []

    assert woken == [True]
    assert Delivery.objects.get().status == "pending"
