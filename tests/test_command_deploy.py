"""``maintenance_mode`` in a deploy script: ``status`` lists processes, ``--wait`` and
``wait`` wait for every process, ``render`` writes the web server's copy of the page."""

from __future__ import annotations

import json
import stat
import time
from io import StringIO
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import override_settings

from maintenance_panel import fleet
from maintenance_panel.models import MaintenanceConfig
from tests.fakes import FakeSharedCache, free_slots, other

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.urls"),
    pytest.mark.usefixtures("no_fleet_reports"),
]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("maintenance_mode", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def fleet_cache(shared, committed, commit) -> Any:
    """A shared cache (a stand-in for Redis) with the config stored."""
    with commit():
        MaintenanceConfig.get_solo()
    return caches["shared"]


@pytest.fixture
def committing(django_capture_on_commit_callbacks, monkeypatch) -> Any:
    """The command's change commits, as it does outside a test."""
    from django.db import transaction

    real = transaction.on_commit
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    yield
    monkeypatch.setattr(transaction, "on_commit", real)


@pytest.fixture
def local_cache() -> Any:
    """A process-local cache, empty, whatever the suite runs on."""
    local = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "deploy-tests",
        }
    }
    with override_settings(CACHES=local):
        caches["default"].clear()
        yield
        fleet.drain()
        caches["default"].clear()


def report(cache: Any, slot: int, **fields: Any) -> None:
    """Store another process's report in slot ``slot`` (counted from 100, never this
    process's own)."""
    cache.set(fleet.SLOT_KEY % list(free_slots())[slot], other(**fields), 60)


# -- status --------------------------------------------------------------------------------


def test_status_lists_the_processes_seen_recently(local_cache, client):
    client.get("/")
    assert fleet.drain()
    report(caches["default"], 5, host="web-2", pid=4711, forced=True, version="3")
    output, _ = run("status")
    assert "Processes seen in the last 60 s: 2 on 2 host(s)" in output
    assert "web-2, pid 4711: maintenance off (forced by its settings), version 3" in output
    assert "process-local" in output  # LocMem: the others cannot report here


def test_status_json_has_the_processes(local_cache, client):
    client.get("/")
    assert fleet.drain()
    output, _ = run("status", "--json")
    data = json.loads(output)
    [process] = data["processes"]
    assert set(process) == {"host", "pid", "version", "active", "forced", "seen_at", "ttl"}
    assert process["active"] is False
    assert data["processes_shared"] is False
    assert data["processes_error"] is None


def test_status_says_when_the_reports_cannot_be_read(fleet_cache):
    FakeSharedCache.broken = True
    monkey_output = StringIO()
    # The state itself comes from the database; only the reports are missing.
    call_command("maintenance_mode", "status", stdout=monkey_output)
    assert "Processes: the reports cannot be read" in monkey_output.getvalue()


# -- --wait and wait ---------------------------------------------------------------------


def test_wait_with_a_process_local_cache_warns_and_waits_one_ttl(local_cache, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    output, errors = run("on", "--wait")
    assert "Maintenance mode is ON" in output
    assert "process-local" in errors
    assert "reports only to itself" in errors
    assert slept == [1.0]


def test_on_wait_names_a_process_forced_off_and_fails(fleet_cache, committing):
    report(fleet_cache, 7, host="web-2", pid=4711, forced=True, active=False, version="9" * 20)
    with pytest.raises(CommandError) as raised:
        run("on", "--wait", "--timeout", "0.5")
    message = str(raised.value)
    assert "After 0.5 s, 1 process(es) do not apply the new state" in message
    assert "web-2, pid 4711: forced off by its settings" in message
    assert MaintenanceConfig.get_solo().enabled  # the change itself stands


def test_on_wait_prints_who_confirmed(fleet_cache, committing):
    report(fleet_cache, 1, host="web-1", pid=1, active=False, version="1", seen_at=time.time() - 30)
    output, _ = run("on", "--wait", "--timeout", "5")
    assert "web-1, pid 1: no request for" in output
    assert "Every process seen recently applies the new state (1 on 1 host(s), " in output


def test_off_wait_confirms_a_process_with_the_new_version(fleet_cache, committing, client):
    run("on")
    client.get("/")  # this process serves requests: it reports the version it installed
    assert fleet.drain()
    output, _ = run("off", "--wait")
    assert "has the new state (maintenance off" in output


def test_wait_word_with_no_process_seen(fleet_cache):
    output, _ = run("wait", "--timeout", "2")
    assert "No process served a request in the last 60 s" in output


def test_on_wait_json_has_each_verdict(fleet_cache, committing):
    report(fleet_cache, 1, host="web-1", pid=1, active=True, version="9" * 20)
    output, _ = run("on", "--wait", "--json")
    data = json.loads(output)
    assert data["active"] is True
    [verdict] = data["wait"]
    assert (verdict["host"], verdict["verdict"]) == ("web-1", fleet.CONFIRMED)


def test_wait_fails_clearly_when_the_cache_is_down(fleet_cache):
    FakeSharedCache.broken = True
    with pytest.raises(CommandError, match="Cannot read the fleet reports"):
        run("wait")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["on", "--timeout", "5"], "--timeout goes with --wait"),
        (["status", "--wait"], "--wait does not go with `status`"),
        (["wait", "--json"], "--json does not go with `wait`"),
        (["on", "--output", "x.html"], "--output does not go with `on`"),
        (["render", "--wait"], "--wait does not go with `render`"),
        (["wait", "--timeout", "0"], "is not a positive number of seconds"),
        (["wait", "--timeout", "soon"], "is not a number of seconds"),
    ],
)
def test_bad_deploy_options_say_what_to_type(args, expected):
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert expected in str(raised.value)


# -- render --------------------------------------------------------------------------------


def test_render_prints_the_page_whether_on_or_off(config):
    config.title = "Deploying"
    config.save()
    output, _ = run("render")
    assert "Deploying" in output
    assert output.lstrip().lower().startswith("<!doctype html>")


def test_render_output_writes_the_file(tmp_path, config):
    target = tmp_path / "503.html"
    output, _ = run("render", "--output", str(target))
    assert f"Wrote the maintenance page to {target}." in output
    assert "<!doctype html>" in target.read_text().lower()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_render_to_a_missing_folder_is_a_command_error(tmp_path, config):
    with pytest.raises(CommandError, match=r"Cannot write .*No such file or directory"):
        run("render", "--output", str(tmp_path / "missing" / "503.html"))


@override_settings(MAINTENANCE_MODE=True)
def test_wait_expects_what_the_settings_force(fleet_cache):
    report(fleet_cache, 1, host="web-1", pid=1, active=True, forced=True)
    output, _ = run("wait", "--timeout", "2")
    assert "web-1, pid 1: has the new state (maintenance on" in output
