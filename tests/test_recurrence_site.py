"""A repeated window on the site: the responses, the status, the banner, the command, the
Python API and the model, as visitors, operators and scripts see them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone, translation

from maintenance_panel import core, status
from maintenance_panel.models import MaintenanceChange, MaintenanceConfig
from maintenance_panel.snapshot import Snapshot

SUNDAYS = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"
HOUR = timedelta(hours=1)
#: A Sunday, 02:30 UTC: inside the occurrence of SUNDAYS in UTC.
DURING = datetime(2027, 1, 3, 2, 30, tzinfo=UTC)
#: The Saturday before, 14:00 UTC: twelve hours before the next occurrence.
BEFORE = datetime(2027, 1, 2, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    """The words asserted are English ones, whatever an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def at(monkeypatch):
    """Set the clock the site reads."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def snapshot(**data: object) -> Snapshot:
    return Snapshot.from_data({"enabled": True, **data}, "s")


# -- the snapshot and the status -------------------------------------------------------------


def test_with_a_rule_the_site_is_on_only_while_an_occurrence_is_open():
    repeated = snapshot(recurrence=SUNDAYS, recurrence_duration=HOUR)
    assert repeated.on_without_window is False
    assert repeated.stored_active(DURING)
    assert not repeated.stored_active(BEFORE)
    assert repeated.window_at(DURING).starts_at == datetime(2027, 1, 3, 2, 0, tzinfo=UTC)
    assert repeated.window_after(BEFORE).starts_at == datetime(2027, 1, 3, 2, 0, tzinfo=UTC)
    assert repeated.window_before(BEFORE).ends_at == datetime(2026, 12, 27, 3, 0, tzinfo=UTC)


def test_a_set_one_off_window_opens_beside_the_rule():
    one_off = {"starts_at": BEFORE - HOUR, "ends_at": BEFORE + HOUR}
    repeated = snapshot(recurrence=SUNDAYS, recurrence_duration=HOUR, **one_off)
    assert repeated.stored_active(BEFORE)
    assert repeated.window_at(BEFORE).ends_at == BEFORE + HOUR
    # After it, the next occurrence is the next window, and the one-off the last one.
    assert repeated.window_after(BEFORE + 2 * HOUR).starts_at.day == 3
    assert repeated.window_before(BEFORE + 2 * HOUR).ends_at == BEFORE + HOUR


def test_the_status_tells_the_open_occurrence_and_the_next_window():
    repeated = snapshot(recurrence=SUNDAYS, recurrence_duration=HOUR)
    during = status.describe(repeated, DURING)
    assert (during.active, during.phase, during.kind) == (True, "open", "on")
    assert during.retry_after == 30 * 60  # to the end of the occurrence
    assert during.next_window.starts_at == datetime(2027, 1, 10, 2, 0, tzinfo=UTC)
    before = status.describe(repeated, BEFORE)
    assert (before.active, before.phase, before.kind) == (False, "scheduled", "scheduled")
    document = status.as_json(before)
    assert document["next_window"] == {
        "starts_at": "2027-01-03T02:00:00+00:00",
        "ends_at": "2027-01-03T03:00:00+00:00",
    }
    assert document["recurrence"] == {
        "rule": SUNDAYS,
        "reading": "every Sunday at 02:00 for 1 hour",
        "duration_seconds": 3600,
        "time_zone": "UTC",
    }


def test_the_stored_advance_notice_decides_what_is_announced():
    soon = status.describe(snapshot(recurrence=SUNDAYS, recurrence_duration=HOUR), BEFORE)
    assert status.upcoming(soon, BEFORE)  # the setting: a day ahead
    short = snapshot(recurrence=SUNDAYS, recurrence_duration=HOUR, announce_before=HOUR)
    assert not status.upcoming(status.describe(short, BEFORE), BEFORE)
    assert status.announced(short, BEFORE) is None
    assert status.announced(short, datetime(2027, 1, 3, 1, 30, tzinfo=UTC))["text"] == (
        "Maintenance on Sunday 3 January from 02:00 to 03:00 UTC."
    )


# -- what visitors get -----------------------------------------------------------------------


def test_during_an_occurrence_visitors_wait_for_its_end(
    client, set_config, at, django_assert_num_queries
):
    set_config(enabled=True, recurrence=SUNDAYS, recurrence_duration=HOUR)
    at(DURING)
    client.get("/")  # the snapshot is read once
    with django_assert_num_queries(0):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "1800"
    assert response["Refresh"] == "1802"
    page = response.content.decode()
    assert 'id="maintenance-countdown" data-ends-at="2027-01-03T03:00:00+00:00"' in page
    assert "window.location.reload()" in page
    json_response = client.get("/", HTTP_ACCEPT="application/json")
    assert json_response.json()["ends_at"] == "2027-01-03T03:00:00+00:00"


def test_between_occurrences_the_site_is_up_and_announces_the_next(client, set_config, at):
    set_config(enabled=True, recurrence=SUNDAYS, recurrence_duration=HOUR)
    at(BEFORE)
    response = client.get("/")
    assert response.status_code == 200
    assert "Maintenance on Sunday 3 January from 02:00 to 03:00 UTC." in response.content.decode()
    data = client.get("/maintenance/status/").json()
    assert data["active"] is False
    assert data["window"]["phase"] == "scheduled"
    assert data["upcoming"]["text"] == "Maintenance on Sunday 3 January from 02:00 to 03:00 UTC."
    assert data["next_window"]["starts_at"] == "2027-01-03T02:00:00+00:00"


@override_settings(TIME_ZONE="Europe/Berlin")
def test_the_rule_is_read_in_the_maintenance_time_zone(client, set_config, at):
    set_config(enabled=True, recurrence=SUNDAYS, recurrence_duration=HOUR)
    at(datetime(2027, 1, 3, 1, 30, tzinfo=UTC))  # 02:30 in Berlin
    assert client.get("/").status_code == 503
    with override_settings(MAINTENANCE_MODE_TIME_ZONE="America/New_York"):
        assert client.get("/").status_code == 200
        at(datetime(2027, 1, 3, 7, 30, tzinfo=UTC))  # 02:30 in New York
        assert client.get("/").status_code == 503


def test_switched_off_a_rule_holds_nothing(client, set_config, at):
    set_config(enabled=False, recurrence=SUNDAYS, recurrence_duration=HOUR)
    at(DURING)
    assert client.get("/").status_code == 200
    assert client.get("/maintenance/status/").json()["upcoming"] is None


# -- the model, the history, the Python API and the command ------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"recurrence": "FREQ=MINUTELY"}, "recurrence", "repeats too often"),
        ({"recurrence": SUNDAYS}, "recurrence_duration", "Say how long each window lasts"),
        (
            {"recurrence": SUNDAYS, "recurrence_duration": -HOUR},
            "recurrence_duration",
            "longer than zero",
        ),
        (
            {"recurrence": SUNDAYS, "recurrence_duration": timedelta(days=8)},
            "recurrence_duration",
            "1 week at most",
        ),
        (
            {"recurrence": "FREQ=DAILY", "recurrence_duration": timedelta(days=1)},
            "recurrence_duration",
            "every 1 day",
        ),
        ({"announce_before": -HOUR}, "announce_before", "between 0 and"),
    ],
)
def test_the_model_refuses_a_bad_schedule_with_a_field_error(config, fields, field, message):
    for name, value in fields.items():
        setattr(config, name, value)
    with pytest.raises(ValidationError) as caught:
        config.full_clean()
    assert message in " ".join(caught.value.message_dict[field])


def test_the_history_records_the_rule_and_shows_durations(client, operator, set_config):
    set_config(recurrence=SUNDAYS, recurrence_duration=timedelta(hours=1, minutes=30))
    change = MaintenanceChange.objects.first()
    assert change.changes["recurrence"] == ["", SUNDAYS]
    assert change.changes["recurrence_duration"] == [None, "P0DT01H30M00S"]
    client.force_login(operator)
    page = client.get("/admin/maintenance_panel/maintenanceconfig/").content.decode()
    assert "1 hour, 30 minutes" in page


def test_the_python_api_sets_and_clears_the_rule(db):
    core.set_maintenance_mode(
        True, recurrence="rrule:freq=weekly;byday=su;byhour=2", recurrence_duration=HOUR
    )
    config = MaintenanceConfig.get_solo()
    assert (config.recurrence, config.recurrence_duration) == (SUNDAYS, HOUR)
    core.set_maintenance_mode(True, title="Kept")
    assert MaintenanceConfig.get_solo().recurrence == SUNDAYS
    core.set_maintenance_mode(False, recurrence="")
    assert MaintenanceConfig.get_solo().recurrence == ""
    with pytest.raises(core.InvalidValue) as caught:
        core.set_maintenance_mode(
            True, recurrence="FREQ=WEEKLY;BYHOUR=24", recurrence_duration=HOUR
        )
    assert "BYHOUR=24: 24 is out of range" in str(caught.value)


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("maintenance_mode", *args, stdout=out)
    return out.getvalue()


def test_the_command_repeats_a_window_and_shows_the_next(db, at):
    at(BEFORE)
    run("on", "--every", SUNDAYS, "--for", "1h30m")
    config = MaintenanceConfig.get_solo()
    assert (config.recurrence, config.recurrence_duration) == (SUNDAYS, timedelta(minutes=90))
    text = run("status")
    assert (
        "Repeats: FREQ=WEEKLY;BYDAY=SU;BYHOUR=2 "
        "(every Sunday at 02:00 for 1 hour, 30 minutes, in UTC)" in text
    )
    assert "Next window: 2027-01-03 02:00:00 UTC to 2027-01-03 03:30:00 UTC" in text
    data = json.loads(run("status", "--json"))
    assert data["next_window"]["starts_at"] == "2027-01-03T02:00:00+00:00"
    assert data["recurrence"]["rule"] == SUNDAYS
    run("on", "--no-repeat")
    assert MaintenanceConfig.get_solo().recurrence == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--every", "FREQ=SECONDLY", "--for", "1h"), "FREQ=SECONDLY repeats too often"),
        (("--every", "", "--for", "1h"), "--no-repeat to stop repeating"),
        (("--every", SUNDAYS, "--for", "soon"), "'soon' is not a duration"),
        (("--every", SUNDAYS), "Say how long each window lasts"),
        (("--every", "FREQ=DAILY", "--for", "1d"), "must end before the next one opens"),
    ],
)
def test_the_command_refuses_a_bad_rule_or_duration(db, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("maintenance_mode", "on", *args)
    assert message in str(caught.value)
    assert MaintenanceConfig.get_solo().recurrence == ""
