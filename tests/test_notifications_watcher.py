"""The thread that notices window events in a process that serves requests."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.utils import timezone

from maintenance_panel.models import MaintenanceConfig, Notification
from maintenance_panel.notifications import watcher

pytestmark = pytest.mark.django_db(transaction=True)

#: The events of a boundary (saving the config stores switch events of its own).
BOUNDARY_EVENTS = ("window_opened", "window_closed", "still_on")


def boundary_events() -> list[str]:
    noticed = Notification.objects.filter(event__in=BOUNDARY_EVENTS).order_by("created_at")
    return list(noticed.values_list("event", flat=True))


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            # SQLite's in-memory test database locks a table while the thread writes
            # to it: read again in a moment.
            pass
        time.sleep(0.05)
    return False


@pytest.fixture
def in_background():
    watcher.watch_in_background()
    yield
    watcher.reset()


def test_a_window_that_opens_is_noticed_without_another_request(in_background, set_config):
    starts_at = timezone.now() + timedelta(seconds=1.5)
    set_config(enabled=True, starts_at=starts_at, ends_at=starts_at + timedelta(seconds=1.5))
    assert Client().get("/").status_code == 200  # serves a request: the thread starts

    assert wait_for(lambda: "window_opened" in boundary_events())
    assert wait_for(lambda: "window_closed" in boundary_events())
    assert boundary_events() == ["window_opened", "window_closed"]


@override_settings(MAINTENANCE_MODE_REMIND_AFTER=1)
def test_still_on_once_after_remind_after(in_background, set_config):
    set_config(enabled=True)
    assert Client().get("/").status_code == 503

    assert wait_for(lambda: "still_on" in boundary_events())
    time.sleep(1.0)
    assert boundary_events() == ["still_on"]


def test_a_process_that_serves_no_requests_does_not_watch(in_background, set_config):
    set_config(enabled=True, starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=1))
    MaintenanceConfig.objects.update(switched_on_at=timezone.now() - timedelta(hours=1))
    from maintenance_panel import state

    state.get_snapshot()  # installed, but no request was served

    assert not wait_for(boundary_events, timeout=1.0)


def test_the_test_helpers_keep_the_thread_off(set_config):
    starts_at = timezone.now() + timedelta(seconds=0.5)
    set_config(enabled=True, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    Client().get("/")

    assert not wait_for(boundary_events, timeout=1.5)
