"""``maintenance_mode tick``: the window events due now, from cron."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from maintenance_panel.models import MaintenanceConfig, Notification
from tests.receiver import running

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def tick(*args: str) -> str:
    out = StringIO()
    call_command("maintenance_mode", "tick", *args, stdout=out)
    return out.getvalue()


def test_tick_stores_a_window_that_opened_and_says_so(set_config):
    starts_at = timezone.now() - timedelta(minutes=5)
    set_config(enabled=True, starts_at=starts_at, ends_at=starts_at + HOUR)
    MaintenanceConfig.objects.update(switched_on_at=starts_at - HOUR)

    first = tick()
    second = tick()

    assert "window_opened (due since " in first
    assert first.splitlines()[0].endswith(": stored.")
    assert second.splitlines()[0].endswith(": already stored.")
    assert Notification.objects.filter(event="window_opened").count() == 1


def test_tick_sends_what_it_stored_to_the_webhook(set_config):
    starts_at = timezone.now() - timedelta(minutes=5)
    set_config(enabled=True, starts_at=starts_at, ends_at=starts_at + HOUR)
    MaintenanceConfig.objects.update(switched_on_at=starts_at - HOUR)

    with running() as receiver:
        webhooks = [{"url": f"{receiver.url}/hook", "secret": "s3cret"}]
        with override_settings(MAINTENANCE_MODE_WEBHOOKS=webhooks):
            output = tick()
        received = [json.loads(each.body) for each in receiver.received]

    assert output.splitlines()[-1] == "Sent 1 due delivery."
    assert [(doc["event"], doc["starts_at"]) for doc in received] == [
        ("window_opened", starts_at.astimezone(UTC).isoformat())
    ]


def test_tick_with_nothing_due(set_config):
    set_config(enabled=False)

    assert tick().splitlines() == ["No window event or reminder is due.", "No delivery was due."]
    assert not Notification.objects.exists()


def test_tick_takes_no_options():
    with pytest.raises(CommandError, match="tick"):
        tick("--json")
