"""The process snapshot when the database, the shared cache or both are down."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from maintenance_panel import loading, state
from maintenance_panel.models import MaintenanceConfig
from tests.factories import UserFactory
from tests.fakes import other_process
from tests.helpers import save_config

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls")]

LOAD_QUERIES = 4  # config, its groups, its users, the usable bypass links


LOAD_QUERIES = 4  # config, its groups, its users, the usable bypass links
#: Inside the test's transaction the read is wrapped in a savepoint (two statements).
LOAD_QUERIES_IN_TRANSACTION = LOAD_QUERIES + 2


def break_database(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable() -> dict[str, Any]:
        raise OperationalError("could not connect to server (simulated)")

    monkeypatch.setattr(loading, "load_data", unreachable)


# -- outages ---------------------------------------------------------------------------


def test_cache_down_state_comes_from_the_database(shared, clock):
    save_config(enabled=True)
    shared.broken = True
    with other_process():
        assert state.get_snapshot().enabled


def test_database_down_state_comes_from_the_cache(shared, clock, commit, committed, monkeypatch):
    MaintenanceConfig.get_solo()
    with commit():
        save_config(enabled=True)
    break_database(monkeypatch)
    with other_process():
        assert state.get_snapshot().enabled


def test_both_down_keeps_the_last_snapshot(shared, clock, monkeypatch):
    save_config(enabled=True, title="Known")
    assert state.get_snapshot().title == "Known"
    shared.broken = True
    break_database(monkeypatch)
    for _ in range(3):
        clock.advance(1.0)
        snapshot = state.get_snapshot()
        assert snapshot.enabled
        assert snapshot.title == "Known"


@pytest.mark.parametrize("fallback", [True, False])
def test_both_down_and_nothing_known_uses_the_fallback(shared, clock, monkeypatch, fallback):
    shared.broken = True
    break_database(monkeypatch)
    with override_settings(MAINTENANCE_MODE_FALLBACK=fallback):
        snapshot = state.get_snapshot()
    assert snapshot.is_fallback
    assert snapshot.enabled is fallback


def test_fallback_is_left_once_the_database_answers(shared, clock, monkeypatch):
    save_config(enabled=True)
    shared.broken = True
    real_load = loading.load_data
    break_database(monkeypatch)
    assert not state.get_snapshot().enabled
    monkeypatch.setattr(loading, "load_data", real_load)
    clock.advance(1.0)
    assert state.get_snapshot().enabled


def test_outages_never_make_a_500(client, shared, clock, monkeypatch):
    save_config(enabled=True)
    assert client.get("/").status_code == 503
    shared.broken = True
    break_database(monkeypatch)
    clock.advance(5)
    assert client.get("/").status_code == 503
    state.reset()  # a fresh worker that has never loaded the state: the fallback (off)
    assert client.get("/").status_code == 200


def test_session_store_down_serves_the_maintenance_page(client, shared, clock, monkeypatch):
    """A visitor with a session cookie while the database is down: the session cannot
    be read, so they are treated as anonymous, not answered with a 500."""
    save_config(enabled=True)
    client.force_login(UserFactory())

    def unreachable(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server (simulated)")

    from django.contrib.sessions.backends.db import SessionStore

    monkeypatch.setattr(SessionStore, "load", unreachable)
    assert client.get("/").status_code == 503


def test_a_test_does_not_see_the_shared_state_an_earlier_test_left(shared, commit, committed):
    """Between tests the database is reset but Redis is not: the reset around each test
    (the pytest plugin, the unittest mixin) forgets the shared state too."""
    from maintenance_panel.core import get_maintenance_mode
    from maintenance_panel.testing import reset_maintenance_state

    with commit():
        save_config(enabled=True)  # an earlier test, in a transaction that was committed
    MaintenanceConfig.objects.update(enabled=False)  # the database is reset for the next
    reset_maintenance_state()
    assert get_maintenance_mode() is False


def test_table_missing_before_migrate_serves_the_site(client, caplog):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE maintenance_panel_maintenanceconfig RENAME TO mp_not_migrated")
    with caplog.at_level(logging.WARNING, logger="maintenance_panel"):
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 200
    assert state.get_snapshot().is_fallback
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE mp_not_migrated RENAME TO maintenance_panel_maintenanceconfig")


def test_degradation_is_logged_once_per_episode(shared, clock, monkeypatch, caplog):
    save_config(enabled=True)
    state.get_snapshot()
    with caplog.at_level(logging.INFO, logger="maintenance_panel"):
        shared.broken = True
        for _ in range(5):
            clock.advance(1.0)
            state.get_snapshot()
        shared.broken = False
        for _ in range(3):
            clock.advance(1.0)
            state.get_snapshot()
        shared.broken = True
        clock.advance(1.0)
        state.get_snapshot()
    messages = [record.getMessage() for record in caplog.records]
    down = [m for m in messages if "shared cache unavailable" in m]
    back = [m for m in messages if "shared cache available again" in m]
    assert len(down) == 2  # two episodes
    assert len(back) == 1
    assert "simulated" in down[0]  # the cause is not hidden
