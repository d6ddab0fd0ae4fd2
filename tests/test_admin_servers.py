"""The panel's "Servers" section: which processes apply the state shown, which not."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.utils import translation

from maintenance_panel import fleet
from maintenance_panel.fleet import writer as fleet_writer
from tests.factories import SuperuserFactory
from tests.fakes import other, store
from tests.helpers import PANEL, logged_in, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def _local_cache() -> Any:
    """The counts read from a process-local cache on every database (the SQLite run's
    own setting): the reports of real servers sharing Redis are tested in
    tests/integration."""
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "servers"}
    with override_settings(CACHES={"default": local}):
        yield


@pytest.fixture(autouse=True)
def _no_reports() -> Any:
    keys = [fleet.SLOT_KEY % slot for slot in range(fleet.SLOTS)]
    caches["default"].delete_many(keys)
    # This process claims a slot afresh in this test's cache: the one it held in an
    # earlier test's cache (another alias, or one since emptied) is not its own here.
    fleet_writer._writer.slot, fleet_writer._writer.claimed_at = None, 0.0
    yield
    fleet.drain()
    caches["default"].delete_many(keys)


def panel_text(client: Any) -> str:
    """The panel's text once this process's own report is in the cache (it reports
    after serving a request, in the background)."""
    for _ in range(20):
        client.get(PANEL)  # this process serves requests: it reports too
        assert fleet.drain()
        if any(report.pid == os.getpid() for report in fleet.read_reports()):
            break
        time.sleep(0.05)
    return text(client.get(PANEL))


@pytest.mark.usefixtures("_local_cache")
def test_servers_section_counts_who_has_the_state_and_names_who_does_not(set_config):
    set_config(enabled=True)
    store(
        other("web-1", 10, active=True),
        other("web-2", 4711, active=False, forced=True),
        other("web-2", 4712, active=False, seen_at=time.time() - 0.4),
    )
    page = panel_text(logged_in(SuperuserFactory()))
    assert "Servers" in page
    assert "2 processes on 2 hosts have this state." in page
    assert "web-2, pid 4711: forced off by its settings" in page
    assert "web-2, pid 4712: has not read the new state yet" in page
    assert socket.gethostname() in page  # this process, in the table


def test_one_process_agrees(config):
    page = panel_text(logged_in(SuperuserFactory()))
    assert "1 process on 1 host has this state." in page


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_a_process_local_cache_is_explained(config):
    page = panel_text(logged_in(SuperuserFactory()))
    assert "each process reports only to itself" in page


@pytest.mark.usefixtures("_local_cache")
def test_servers_section_in_german(set_config):
    set_config(enabled=True)
    store(other("web-1", 10, active=True), other("web-2", 4711, active=False, forced=True))
    client = logged_in(SuperuserFactory())
    with translation.override("de"):
        page = panel_text(client)
    assert "2 Prozesse auf 2 Hosts haben diesen Zustand." in page
    assert "web-2, PID 4711: durch seine Einstellungen ausgeschaltet" in page


def test_unreadable_reports_are_said_and_the_panel_works(config, monkeypatch):
    def broken() -> list[Any]:
        raise fleet.ReportsUnavailable("connection refused")

    monkeypatch.setattr(fleet, "read_reports", broken)
    client = logged_in(SuperuserFactory())
    response = client.get(PANEL)
    assert response.status_code == 200
    assert "The reports cannot be read from the cache: connection refused" in text(response)
