"""The parts of planned maintenance and the automation API working together: a change
made through the API is told as made by its token, and an occurrence of a repeated
window is told of as opened and closed like a one-off window, once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from maintenance_panel.models import Notification
from maintenance_panel.notifications.boundaries import due
from maintenance_panel.recurrence import schedule_of
from maintenance_panel.snapshot import Snapshot
from tests import api_calls

pytestmark = pytest.mark.django_db

fresh_cache = pytest.fixture(api_calls.fresh_cache)
deploy_token = pytest.fixture(api_calls.deploy_token)

BERLIN = ZoneInfo("Europe/Berlin")
#: Every Sunday at 02:00 in Berlin, for an hour.
SUNDAYS = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0"


@pytest.mark.usefixtures("fresh_cache")
def test_a_switch_through_the_api_is_told_as_made_by_its_token(
    deploy_token: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_calls.post(Client(), deploy_token, {"enabled": True, "title": "Deploy"})
    assert response.status_code == 200

    notification = Notification.objects.get()
    assert notification.event == "switched_on"
    assert notification.payload["changed_by"] == "API token deploy"
    assert notification.payload["title"] == "Deploy"
    assert deploy_token not in str(notification.payload)


def sundays_switched_on() -> Snapshot:
    schedule = schedule_of(SUNDAYS, timedelta(hours=1), BERLIN)
    return Snapshot(
        enabled=True,
        schedule=schedule,
        switched_on_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def told(snapshot: Snapshot, moment: datetime) -> list[tuple[str, str]]:
    return [(boundary.event, boundary.key) for boundary in due(snapshot, moment)]


def test_an_occurrence_is_told_of_as_opened_then_closed_with_its_own_key() -> None:
    snapshot = sundays_switched_on()
    # Sunday 6 December 2026, 02:00 in Berlin is 01:00 UTC.
    opened = datetime(2026, 12, 6, 1, 0, 30, tzinfo=UTC)
    key = "2026-12-06T01:00:00+00:00|2026-12-06T02:00:00+00:00"

    assert told(snapshot, opened - timedelta(minutes=1)) == []
    assert told(snapshot, opened) == [("window_opened", f"window_opened|{key}")]
    assert told(snapshot, opened + timedelta(hours=1)) == [
        ("window_closed", f"window_closed|{key}")
    ]


def test_the_next_occurrence_is_another_window() -> None:
    snapshot = sundays_switched_on()
    next_sunday = datetime(2026, 12, 13, 1, 0, 30, tzinfo=UTC)

    ((event, key),) = told(snapshot, next_sunday)
    assert event == "window_opened"
    assert key.startswith("window_opened|2026-12-13T01:00:00+00:00|")
