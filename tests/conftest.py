"""Fixtures shared by the test suite."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import caches
from django.test import override_settings

from maintenance_panel import cache_calls, fleet, loading, state
from maintenance_panel.models import MaintenanceConfig
from tests.fakes import SHARED, Clock, FakeSharedCache


@pytest.fixture(autouse=True)
def _patient_cache_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """A healthy cache never counts as one that hangs: on a machine busy with two test
    workers and a browser, handing a call to the cache caller's thread can take longer
    than the request path's quarter of a second. The same holds for the background
    writes of the fleet reports and the held-work counts (given ``REPORT_DELAY``): a
    write given up on would leave this process out of the Servers section. The back-off
    tests set their own limit."""
    from maintenance_panel import cache_calls
    from maintenance_panel.fleet import held, writer

    monkeypatch.setattr(cache_calls, "REQUEST_LIMIT", 2.0)
    monkeypatch.setattr(writer, "REPORT_DELAY", 2.0)
    monkeypatch.setattr(held, "REPORT_DELAY", 2.0)


@pytest.fixture(scope="session", autouse=True)
def _close_async_thread_connections(django_db_setup: Any) -> Iterator[None]:
    """Async tests open connections in sync_to_async's worker thread; close them before
    the test databases are dropped (PostgreSQL refuses to drop a database in use)."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
def operator(db: Any) -> Any:
    """Alice, a staff user who may view and change maintenance mode."""
    from tests.factories import OperatorFactory

    return OperatorFactory(username="alice")


@pytest.fixture
def config(db: Any) -> MaintenanceConfig:
    """The stored singleton (created)."""
    return MaintenanceConfig.get_solo()


@pytest.fixture
def set_config(db: Any) -> Callable[..., MaintenanceConfig]:
    """Change fields of the singleton and save, as an operator would."""

    def change(**fields: Any) -> MaintenanceConfig:
        config = MaintenanceConfig.get_solo()
        groups = fields.pop("ignore_groups", None)
        users = fields.pop("ignore_users", None)
        for name, value in fields.items():
            setattr(config, name, value)
        config.save()
        if groups is not None:
            config.ignore_groups.set(groups)
        if users is not None:
            config.ignore_users.set(users)
        return config

    return change


@pytest.fixture
def no_fleet_reports() -> Iterator[None]:
    """Reports stored by a test (of "other processes") do not outlive it."""
    keys = [fleet.SLOT_KEY % slot for slot in range(fleet.SLOTS)]
    caches["default"].delete_many(keys)
    yield
    fleet.drain()
    caches["default"].delete_many(keys)


# -- several processes: a shared cache, the clock, commits -------------------------------


@pytest.fixture
def shared() -> Iterator[type[FakeSharedCache]]:
    """The fake shared cache (a stand-in for Redis) as ``MAINTENANCE_MODE_CACHE``, empty,
    working and counting its calls."""
    FakeSharedCache.store.clear()
    FakeSharedCache.broken = FakeSharedCache.hanging = False
    FakeSharedCache.released = threading.Event()
    FakeSharedCache.calls = []
    with override_settings(CACHES=SHARED, MAINTENANCE_MODE_CACHE="shared"):
        yield FakeSharedCache
    FakeSharedCache.released.set()  # calls still hanging end now
    fleet.drain()
    FakeSharedCache.broken = FakeSharedCache.hanging = False


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock of the state's TTL and of the back-off from a failing cache, moved by
    the test."""
    clock = Clock()
    monkeypatch.setattr(state, "monotonic", clock)
    monkeypatch.setattr(cache_calls, "monotonic", clock)
    return clock


@pytest.fixture
def committed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads behave as outside a transaction, as in a request of a running site
    (the test's own transaction would make every read provisional and private)."""
    monkeypatch.setattr(loading, "in_transaction", lambda: False)


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a write as if its transaction committed (the test's own never does)."""

    @contextmanager
    def committing() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return committing
