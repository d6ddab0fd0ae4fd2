"""Which window events and reminders are due at a moment, and when the next one is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from maintenance_panel.notifications.boundaries import GRACE, due, next_moment, on_since
from maintenance_panel.snapshot import Snapshot

NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def switched_on(at: datetime = NOON - 3 * HOUR, **fields) -> Snapshot:
    return Snapshot(enabled=True, switched_on_at=at, **fields)


def events(snapshot: Snapshot, now: datetime) -> list[tuple[str, str]]:
    return [(boundary.event, boundary.key) for boundary in due(snapshot, now)]


def test_an_open_window_is_due_as_opened_from_its_start():
    snapshot = switched_on(starts_at=NOON, ends_at=NOON + HOUR)

    assert events(snapshot, NOON - MINUTE) == []
    assert events(snapshot, NOON) == [
        ("window_opened", "window_opened|2026-12-06T12:00:00+00:00|2026-12-06T13:00:00+00:00")
    ]


def test_a_closed_window_is_due_as_closed_from_its_end():
    snapshot = switched_on(starts_at=NOON - 2 * HOUR, ends_at=NOON)

    assert events(snapshot, NOON) == [
        ("window_closed", "window_closed|2026-12-06T10:00:00+00:00|2026-12-06T12:00:00+00:00")
    ]


def test_a_window_that_opened_and_closed_unseen_is_due_as_both_in_order():
    snapshot = switched_on(starts_at=NOON, ends_at=NOON + 10 * MINUTE)

    assert [event for event, _ in events(snapshot, NOON + HOUR)] == [
        "window_opened",
        "window_closed",
    ]


def test_a_boundary_older_than_the_grace_period_is_not_due():
    snapshot = switched_on(starts_at=NOON, ends_at=NOON + 3 * HOUR)

    assert [event for event, _ in events(snapshot, NOON + GRACE)] == ["window_opened"]
    assert events(snapshot, NOON + GRACE + MINUTE) == []
    assert events(snapshot, NOON + 3 * HOUR + GRACE + MINUTE) == []


def test_nothing_is_due_while_the_switch_is_off():
    snapshot = Snapshot(enabled=False, starts_at=NOON, ends_at=NOON + HOUR)

    assert events(snapshot, NOON) == []
    assert events(snapshot, NOON + HOUR) == []
    assert next_moment(snapshot, NOON - HOUR) is None


def test_a_window_that_opened_before_the_switch_was_turned_on_is_no_news():
    # The switch event told of it; the window's end still is news.
    snapshot = switched_on(at=NOON + MINUTE, starts_at=NOON, ends_at=NOON + HOUR)

    assert events(snapshot, NOON + 2 * MINUTE) == []
    assert [event for event, _ in events(snapshot, NOON + HOUR)] == ["window_closed"]


def test_a_window_that_ended_before_the_switch_was_turned_on_is_no_news():
    snapshot = switched_on(at=NOON + 2 * HOUR, starts_at=NOON, ends_at=NOON + HOUR)

    assert events(snapshot, NOON + 2 * HOUR) == []


def test_still_on_after_remind_after_once_per_switch_on():
    snapshot = switched_on(at=NOON)

    assert events(snapshot, NOON + 4 * HOUR - MINUTE) == []
    assert events(snapshot, NOON + 4 * HOUR) == [("still_on", "still_on|2026-12-06T12:00:00+00:00")]
    # Days later it is the same reminder (the same key), not a new one.
    assert events(snapshot, NOON + 48 * HOUR) == [
        ("still_on", "still_on|2026-12-06T12:00:00+00:00")
    ]
    again = switched_on(at=NOON + 50 * HOUR)
    assert events(again, NOON + 55 * HOUR) == [("still_on", "still_on|2026-12-08T14:00:00+00:00")]


@override_settings(MAINTENANCE_MODE_REMIND_AFTER=None)
def test_no_reminder_when_remind_after_is_none():
    snapshot = switched_on(at=NOON)

    assert events(snapshot, NOON + 100 * HOUR) == []
    assert next_moment(snapshot, NOON) is None


@override_settings(MAINTENANCE_MODE_REMIND_AFTER=timedelta(minutes=30))
def test_the_reminder_counts_from_the_window_start_when_that_is_later():
    snapshot = switched_on(at=NOON - HOUR, starts_at=NOON, ends_at=NOON + 2 * HOUR)

    assert "still_on" not in [event for event, _ in events(snapshot, NOON + 29 * MINUTE)]
    assert ("still_on", "still_on|2026-12-06T11:00:00+00:00") in events(
        snapshot, NOON + 30 * MINUTE
    )
    # Not while the window is not open, before or after: maintenance is not on.
    assert "still_on" not in [event for event, _ in events(snapshot, NOON - MINUTE)]
    assert [event for event, _ in events(snapshot, NOON + 2 * HOUR)] == ["window_closed"]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (NOON - HOUR, NOON),  # the window opens
        (NOON, NOON + HOUR),  # it closes
        (NOON + HOUR, None),  # nothing left but a reminder not due in a closed window
    ],
)
def test_next_moment_is_the_next_boundary(now, expected):
    snapshot = switched_on(at=NOON - 2 * HOUR, starts_at=NOON, ends_at=NOON + HOUR)

    assert next_moment(snapshot, now) == expected


def test_next_moment_includes_the_reminder():
    snapshot = switched_on(at=NOON)

    assert next_moment(snapshot, NOON + HOUR) == NOON + 4 * HOUR


def test_on_since_is_the_switch_or_the_window_start_whichever_is_later():
    assert on_since(switched_on(at=NOON), NOON + HOUR) == NOON
    window = {"starts_at": NOON + HOUR, "ends_at": NOON + 3 * HOUR}
    assert on_since(switched_on(at=NOON, **window), NOON + 2 * HOUR) == NOON + HOUR
    assert on_since(Snapshot(enabled=False, switched_on_at=None), NOON) is None
