"""Where a moment stands against a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from maintenance_panel.windows import window_open, window_phase

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "phase"),
    [
        (None, None, "none"),
        (NOON + HOUR, None, "scheduled"),
        (NOON, None, "open"),  # the start itself is inside
        (NOON - HOUR, NOON + HOUR, "open"),
        (None, NOON, "ended"),  # the end itself is outside
        (NOON - 2 * HOUR, NOON - HOUR, "ended"),
    ],
)
def test_phase(starts_at, ends_at, phase):
    assert window_phase(starts_at, ends_at, NOON) == phase


@pytest.mark.parametrize(
    ("enabled", "starts_at", "ends_at", "held"),
    [
        (True, None, None, True),
        (False, None, None, False),
        (True, NOON + HOUR, None, False),
        (True, None, NOON, False),
        (False, NOON - HOUR, NOON + HOUR, False),
    ],
)
def test_open_needs_the_switch_and_the_window(enabled, starts_at, ends_at, held):
    assert window_open(enabled, starts_at, ends_at, NOON) is held


def test_now_is_the_default():
    assert window_phase(None, datetime.now(UTC) + HOUR) == "open"
