"""Window events stored once for the fleet: the claim in the shared cache, the outbox's
unique key, and a claim whose process died."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from maintenance_panel import loading
from maintenance_panel.models import MaintenanceConfig, Notification
from maintenance_panel.notifications import noticing
from maintenance_panel.notifications.boundaries import due

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def window(set_config):
    """A window that opens in an hour, with the switch on now; and the moment a minute
    after it opened."""
    starts_at = timezone.now() + HOUR
    set_config(enabled=True, starts_at=starts_at, ends_at=starts_at + HOUR)
    return loading.read_snapshot(), starts_at + MINUTE


def outcomes(snapshot, now):
    return [(each.boundary.event, each.outcome) for each in noticing.notice(snapshot, now)]


def test_the_first_process_stores_the_event_the_second_finds_it_done(shared, window):
    snapshot, now = window

    assert outcomes(snapshot, now) == [("window_opened", noticing.STORED)]
    assert outcomes(snapshot, now) == [("window_opened", noticing.ALREADY)]

    stored = Notification.objects.get()
    assert stored.event == "window_opened"
    assert stored.payload["event"] == "window_opened"
    assert stored.key == due(snapshot, now)[0].key


def test_a_claim_held_by_another_process_is_left_to_it(shared, window):
    snapshot, now = window
    boundary = due(snapshot, now)[0]
    shared.store.add(noticing.CLAIM_KEY % boundary.key, "other-process", noticing.LEASE)

    assert outcomes(snapshot, now) == [("window_opened", noticing.HELD)]
    assert not Notification.objects.exists()


def test_a_process_that_died_after_its_claim_does_not_lose_the_event(shared, window):
    snapshot, now = window
    boundary = due(snapshot, now)[0]
    shared.store.add(noticing.CLAIM_KEY % boundary.key, "died-before-storing", noticing.LEASE)
    assert outcomes(snapshot, now) == [("window_opened", noticing.HELD)]

    shared.store.delete(noticing.CLAIM_KEY % boundary.key)  # the lease ran out

    assert outcomes(snapshot, now) == [("window_opened", noticing.STORED)]
    assert Notification.objects.get().event == "window_opened"


def test_without_a_shared_cache_the_unique_key_keeps_it_once(window):
    snapshot, now = window

    assert outcomes(snapshot, now) == [("window_opened", noticing.STORED)]
    assert outcomes(snapshot, now) == [("window_opened", noticing.ALREADY)]
    assert Notification.objects.count() == 1


def test_a_failing_cache_still_stores_once(shared, window):
    snapshot, now = window
    shared.broken = True

    assert outcomes(snapshot, now) == [("window_opened", noticing.STORED)]
    assert outcomes(snapshot, now) == [("window_opened", noticing.ALREADY)]
    assert Notification.objects.count() == 1


def test_a_process_behind_the_stored_state_stores_nothing(shared, window, set_config):
    snapshot, now = window
    set_config(enabled=False)  # switched off meanwhile: this snapshot is behind

    assert outcomes(snapshot, now) == [("window_opened", noticing.GONE)]
    assert not Notification.objects.exists()
    boundary = due(snapshot, now)[0]
    assert shared.store.get(noticing.CLAIM_KEY % boundary.key) is None  # claim given back


def test_a_failing_database_gives_the_claim_back_for_the_next_try(shared, window, monkeypatch):
    snapshot, now = window

    def fail(stamp):
        raise DatabaseError("database is down (simulated)")

    with monkeypatch.context() as patched:
        patched.setattr(loading, "read_snapshot", fail)
        assert outcomes(snapshot, now) == [("window_opened", noticing.FAILED)]
        assert outcomes(snapshot, now) == [("window_opened", noticing.FAILED)]
    assert not Notification.objects.exists()

    # The database is back: the next try stores it, once.
    assert outcomes(snapshot, now) == [("window_opened", noticing.STORED)]
    assert outcomes(snapshot, now) == [("window_opened", noticing.ALREADY)]


def test_window_closed_and_still_on(shared, set_config):
    starts_at = timezone.now() - 5 * HOUR
    set_config(enabled=True, starts_at=starts_at, ends_at=timezone.now() + HOUR)
    MaintenanceConfig.objects.update(switched_on_at=starts_at - MINUTE)
    snapshot = loading.read_snapshot()
    end = snapshot.ends_at

    assert outcomes(snapshot, timezone.now()) == [("still_on", noticing.STORED)]
    assert outcomes(snapshot, end + MINUTE) == [("window_closed", noticing.STORED)]
    assert sorted(Notification.objects.values_list("event", flat=True)) == [
        "still_on",
        "window_closed",
    ]
