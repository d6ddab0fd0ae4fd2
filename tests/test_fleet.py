"""Fleet reports: each serving process says what it applies; a deploy waits for all.

Other processes are simulated by storing their reports in the cache, as they would.
"""

from __future__ import annotations

import os
import socket
import time
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings

from maintenance_panel import core, fleet, state, versions
from maintenance_panel.fleet import writer as fleet_writer
from maintenance_panel.models import MaintenanceConfig
from tests.fakes import other, store

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.urls"),
    pytest.mark.usefixtures("no_fleet_reports"),
]

# -- reporting ---------------------------------------------------------------------------


def test_a_process_that_serves_requests_reports_itself(client):
    assert client.get("/").status_code == 200
    assert fleet.drain()
    [report] = core.fleet()
    assert (report.host, report.pid) == (socket.gethostname(), os.getpid())
    assert report.active is False
    assert report.forced is False
    assert report.version == state.get_snapshot().stamp
    assert report.ttl == 1.0
    assert abs(report.seen_at.timestamp() - time.time()) < 60
    assert report.as_dict()["seen_at"] == report.seen_at.isoformat()


def test_a_process_that_serves_no_request_does_not_report():
    """A management command reads the state too; it is no server."""
    state.get_snapshot()
    assert fleet.drain()
    assert core.fleet() == []


def test_the_report_follows_a_change(client):
    client.get("/")
    core.set_maintenance_mode(True)
    assert client.get("/").status_code == 503
    assert fleet.drain()
    [report] = core.fleet()
    assert report.active is True


@override_settings(MAINTENANCE_MODE=False)
def test_a_process_forced_off_by_its_settings_still_reports(client, config):
    config.enabled = True
    config.save()
    assert client.get("/").status_code == 200
    assert fleet.drain()
    [report] = core.fleet()
    assert (report.active, report.forced) == (False, True)
    assert report.forced_text == "forced off by its settings"


def test_one_cache_write_per_ttl_at_most(shared, clock, committed, client):
    MaintenanceConfig.get_solo()
    client.get("/")
    clock.advance(1.0)
    client.get("/")  # the shared cache now holds the version and its data
    assert fleet.drain()
    shared.calls.clear()
    for _ in range(50):
        assert client.get("/").status_code == 200
    assert fleet.drain()
    assert shared.calls == []  # a trusted snapshot: no re-validation, no report
    clock.advance(1.0)
    for _ in range(50):
        client.get("/")
    assert fleet.drain()
    assert shared.calls == ["get", "set"]  # the re-validation (the version), the report


@override_settings(MAINTENANCE_MODE=False)
def test_forced_off_process_revalidates_once_per_ttl(shared, clock, committed, client):
    client.get("/")
    clock.advance(1.0)
    client.get("/")
    assert fleet.drain()
    shared.calls.clear()
    for _ in range(20):
        client.get("/")
    clock.advance(1.0)
    for _ in range(20):
        client.get("/")
    assert fleet.drain()
    assert shared.calls == ["get", "set"]


def test_reports_of_other_processes_are_listed_newest_first():
    now = time.time()
    store(
        other("web-1", 10, seen_at=now - 5),
        other("web-2", 20, seen_at=now - 1),
        other("web-1", 11, seen_at=now - 3),
    )
    listed = core.fleet()
    assert [(r.host, r.pid) for r in listed] == [("web-2", 20), ("web-1", 11), ("web-1", 10)]
    assert listed[0].label == "web-2, pid 20"
    assert fleet.hosts(listed) == {"web-1", "web-2"}


def test_old_and_unreadable_reports_are_not_listed():
    store(
        other("web-1", 10, seen_at=time.time() - fleet.seen_recently() - 5),
        {"host": "web-3"},
        "garbage",
        other("web-2", 20),
    )
    assert [(r.host, r.pid) for r in core.fleet()] == [("web-2", 20)]


def test_the_newest_report_of_a_process_wins():
    now = time.time()
    store(other(seen_at=now - 10, active=False), other(seen_at=now - 1, active=True))
    [report] = core.fleet()
    assert report.active is True


def test_seen_recently_is_a_minute_or_three_ttls():
    assert fleet.seen_recently() == 60
    with override_settings(MAINTENANCE_MODE_STATE_TTL=30):
        assert fleet.seen_recently() == 90


def test_a_process_that_exits_cleanly_drops_out_at_once(client):
    client.get("/")
    assert fleet.drain()
    assert len(core.fleet()) == 1
    fleet_writer._writer.forget(os.getpid())
    assert core.fleet() == []


def test_a_taken_slot_is_left_to_its_process():
    report = other("web-9", 99)
    start = zlib.crc32(b"web-9:99:t99") % fleet.SLOTS
    cache = caches["default"]
    cache.set(fleet.SLOT_KEY % start, other("web-1", 1), 60)
    slot = fleet_writer._claim(cache, report, 60)
    assert slot == (start + 1) % fleet.SLOTS
    assert fleet_writer._claim(cache, {**report, "active": True}, 60) == slot  # its own again
    assert {(r.host, r.active) for r in core.fleet()} == {("web-1", False), ("web-9", True)}


def test_a_cache_that_fails_is_reported(shared):
    shared.broken = True
    with pytest.raises(fleet.ReportsUnavailable, match="connection refused"):
        core.fleet()


def test_a_failing_report_write_is_logged_once(shared, clock, committed, client, caplog):
    client.get("/")
    assert fleet.drain()
    shared.broken = True
    with caplog.at_level("WARNING", logger="maintenance_panel"):
        for _ in range(2):
            clock.advance(1.0)
            client.get("/")
            assert fleet.drain()
    assert caplog.text.count("cannot write the fleet report") == 1


# -- where a process stands while a change spreads --------------------------------------


def report_of(**fields: Any) -> fleet.ProcessReport:
    stored = other(**fields)
    parsed = fleet.ProcessReport.from_stored(stored)
    assert parsed is not None
    return parsed


NOW = 1_000_000.0


@pytest.mark.parametrize(
    ("fields", "kind", "why"),
    [
        ({"version": "8", "active": True, "seen_at": NOW}, fleet.CONFIRMED, "has the new state"),
        ({"version": "9", "active": True, "seen_at": NOW}, fleet.CONFIRMED, "version 9"),
        ({"version": "7", "active": False, "seen_at": NOW - 0.5}, fleet.PENDING, "still applies"),
        ({"version": "7", "active": False, "seen_at": NOW - 3}, fleet.EXPIRED, "has expired"),
        (
            {"version": "8", "active": False, "forced": True, "seen_at": NOW},
            fleet.FORCED,
            "forced off by its settings",
        ),
        ({"version": "7", "active": True, "forced": True, "seen_at": NOW}, fleet.CONFIRMED, ""),
        ({"version": "local-ab", "active": True, "seen_at": NOW}, fleet.CONFIRMED, ""),
        ({"version": "local-ab", "active": True, "seen_at": NOW - 20}, fleet.EXPIRED, ""),
        ({"version": "fallback", "active": True, "seen_at": NOW}, fleet.PENDING, "cannot read"),
    ],
)
def test_classify(fields, kind, why):
    verdict = fleet.classify(report_of(**fields), expected=True, target=8, since=NOW - 1, now=NOW)
    assert verdict.kind == kind
    assert why in verdict.why
    assert verdict.settled == (kind in {fleet.CONFIRMED, fleet.EXPIRED})


class FakeTime:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_wait_returns_once_every_process_settled_and_tells_each_once():
    fake = FakeTime()
    store(
        other("web-1", 1, version="8", active=True, seen_at=fake.now),
        other("web-2", 2, version="7", active=False, seen_at=fake.now - 0.5),
    )
    told: list[str] = []
    verdicts = fleet.wait_for_fleet(
        expected=lambda: True,
        target=8,
        since=fake.now,
        timeout=5,
        on_settled=lambda verdict: told.append(f"{verdict.report.label} {verdict.kind}"),
        clock=fake,
        sleep=fake.sleep,
    )
    assert {v.kind for v in verdicts} == {fleet.CONFIRMED, fleet.EXPIRED}
    assert told == ["web-1, pid 1 confirmed", "web-2, pid 2 expired"]
    assert fake.now - verdicts[0].report.seen_at.timestamp() < 1.0 + 2 * fleet.CLOCK_TOLERANCE


def test_wait_never_answers_before_a_report_on_its_way_could_arrive():
    fake = FakeTime()
    start = fake.now
    assert (
        fleet.wait_for_fleet(
            expected=lambda: True, target=8, since=start, timeout=5, clock=fake, sleep=fake.sleep
        )
        == []
    )
    assert fake.now - start >= fleet.REPORT_DELAY


def test_wait_times_out_naming_each_process_that_differs():
    fake = FakeTime()
    store(
        other("web-1", 1, version="8", active=True),
        other("web-2", 4711, version="8", active=False, forced=True),
    )
    with pytest.raises(fleet.FleetTimeout) as raised:
        fleet.wait_for_fleet(
            expected=lambda: True, target=8, since=fake.now, timeout=3, clock=fake, sleep=fake.sleep
        )
    [verdict] = raised.value.verdicts
    assert verdict.report.label == "web-2, pid 4711"
    assert verdict.why == "forced off by its settings"


def test_wait_reads_the_shared_version_when_not_given(
    shared, committed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        core.set_maintenance_mode(True)
    version = versions.shared_version()
    fake = FakeTime()
    store(other(version=str(version - 1), active=False, seen_at=fake.now), cache_alias="shared")
    with pytest.raises(fleet.FleetTimeout) as raised:
        fleet.wait_for_fleet(
            expected=lambda: True,
            target=None,
            since=fake.now,
            timeout=0.5,
            clock=fake,
            sleep=fake.sleep,
        )
    assert f"version {version - 1}" in raised.value.verdicts[0].why


def test_report_seen_at_is_utc():
    report = report_of(seen_at=0)
    assert report.seen_at == datetime(1970, 1, 1, tzinfo=UTC)


def test_a_slot_taken_over_meanwhile_is_given_up(client):
    """After a flushed cache another process may claim this one's slot: the periodic
    check notices, and this process moves to a free slot instead of overwriting."""
    client.get("/")
    assert fleet.drain()
    writer = fleet_writer._writer
    mine = writer.slot
    assert mine is not None
    caches["default"].set(fleet.SLOT_KEY % mine, other("web-7", 7), 60)
    writer.claimed_at -= fleet.seen_recently()  # time for the check
    writer.write({**other(), "host": socket.gethostname(), "pid": os.getpid(), "token": "x"})
    assert writer.slot not in {None, mine}
    assert {r.host for r in core.fleet()} == {"web-7", socket.gethostname()}


def test_this_process_sees_its_own_newest_report_before_it_is_written(client, monkeypatch):
    """Right after a switch in the admin, the panel never shows its own process behind."""
    monkeypatch.setattr(fleet_writer._writer, "write", lambda report: None)  # a slow cache
    client.get("/")
    core.set_maintenance_mode(True)
    client.get("/")
    assert fleet.drain()
    [report] = core.fleet()
    assert report.active is True
