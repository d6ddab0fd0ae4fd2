"""The process snapshot: the read path, invalidation and the hot path's shortcut.

"Another process" is simulated in-process by swapping the module's holder: each
:class:`state._Holder` is what one worker process keeps. The shared cache is a
stand-in for Redis that counts its calls and can be switched off.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.db import OperationalError, transaction
from django.test import override_settings

from maintenance_panel import loading, state, versions
from maintenance_panel.models import MaintenanceConfig
from tests.factories import GroupFactory, UserFactory
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


# -- the read path ---------------------------------------------------------------------


def test_snapshot_is_trusted_within_the_ttl(shared, clock, django_assert_num_queries):
    state.get_snapshot()
    shared.calls.clear()
    with django_assert_num_queries(0):
        for _ in range(100):
            state.get_snapshot()
        clock.advance(0.99)
        state.get_snapshot()
    assert shared.calls == []


def test_revalidation_is_one_cache_get_and_no_query(
    shared, clock, committed, django_assert_num_queries
):
    first = state.get_snapshot()
    shared.calls.clear()
    clock.advance(1.0)
    with django_assert_num_queries(0):
        assert state.get_snapshot() is first
    assert shared.calls == ["get"]


def test_first_read_loads_the_database_once_and_shares_it(
    shared, clock, committed, django_assert_num_queries
):
    MaintenanceConfig.get_solo()
    state.reset()  # a process that has not written anything itself
    with django_assert_num_queries(LOAD_QUERIES):
        state.get_snapshot()
    with other_process(), django_assert_num_queries(0):
        state.get_snapshot()


def test_read_inside_a_transaction_is_not_shared(shared, clock, django_assert_num_queries):
    MaintenanceConfig.get_solo()
    with django_assert_num_queries(LOAD_QUERIES_IN_TRANSACTION):
        state.get_snapshot()
    assert state._holder.provisional
    assert "add" not in shared.calls


def test_state_ttl_setting_applies_at_once(shared, clock, committed):
    state.get_snapshot()
    shared.calls.clear()
    with override_settings(MAINTENANCE_MODE_STATE_TTL=5):
        clock.advance(4)
        state.get_snapshot()
        assert shared.calls == ["get"]  # the new TTL re-validated once, then trusts it
        clock.advance(4)
        state.get_snapshot()
        assert shared.calls == ["get"]


def test_change_reaches_another_process_within_the_ttl(shared, clock, commit, committed):
    with other_process():
        assert not state.get_snapshot().enabled
        elsewhere = state._holder
    with commit():
        save_config(enabled=True, title="Upgrade")
    # The writing process sees it at once.
    assert state.get_snapshot().enabled
    state._holder, mine = elsewhere, state._holder
    try:
        assert not state.get_snapshot().enabled  # still within its TTL
        clock.advance(1.0)
        snapshot = state.get_snapshot()
        assert snapshot.enabled
        assert snapshot.title == "Upgrade"
    finally:
        state._holder = mine


def test_process_reads_the_data_a_writer_shared_without_a_query(
    shared, clock, commit, committed, django_assert_num_queries
):
    MaintenanceConfig.get_solo()
    with commit():
        save_config(enabled=True)
    with other_process(), django_assert_num_queries(0):
        assert state.get_snapshot().enabled
    assert shared.calls[-2:] == ["get", "get"]  # the version, then its data


def test_slow_reader_never_overwrites_newer_state(shared, clock, commit, committed, monkeypatch):
    """A reader that read the database before a write committed stores what it read
    under the version it saw before reading, which the write has already superseded."""
    MaintenanceConfig.get_solo()
    real_load = loading.load_data
    old = real_load()

    def slow_load() -> dict[str, Any]:
        # While this reader is "reading", another process commits a change.
        monkeypatch.setattr(loading, "load_data", real_load)
        with other_process(), commit():
            save_config(enabled=True)
        return old

    with other_process():
        monkeypatch.setattr(loading, "load_data", slow_load)
        assert not state.get_snapshot().enabled  # what it read, under the old version
        clock.advance(1.0)
        assert state.get_snapshot().enabled  # the new version, with the new data
    with other_process():
        assert state.get_snapshot().enabled


def test_lost_version_key_restarts_above_any_stored_version(shared, clock, commit, committed):
    MaintenanceConfig.get_solo()
    with commit():
        save_config(enabled=True)
    shared.store.delete(versions.VERSION_KEY)  # e.g. evicted
    with other_process():
        assert state.get_snapshot().enabled
    with commit():
        save_config(enabled=False)
    with other_process():
        assert not state.get_snapshot().enabled


# -- writes ----------------------------------------------------------------------------


def test_write_takes_effect_in_this_process_at_once(clock):
    state.get_snapshot()
    save_config(enabled=True)
    assert state.get_snapshot().enabled  # no commit yet, no TTL waited


def test_rolled_back_save_changes_nothing(shared, clock, django_assert_num_queries):
    before = state.get_snapshot()
    version = shared.store.get(versions.VERSION_KEY)
    with pytest.raises(RuntimeError), transaction.atomic():
        save_config(enabled=True, title="never")
        assert state.get_snapshot().enabled  # visible inside its own transaction
        raise RuntimeError("abort")
    after = state.get_snapshot()
    assert not after.enabled
    assert after.title == before.title
    assert shared.store.get(versions.VERSION_KEY) == version  # nobody else was told
    with other_process():
        assert not state.get_snapshot().enabled


def test_commit_bumps_the_shared_version_once(shared, clock, commit, committed):
    config = MaintenanceConfig.get_solo()
    group = GroupFactory()
    state.reset()
    state.get_snapshot()
    version = shared.store.get(versions.VERSION_KEY)
    with commit():
        config.enabled = True
        config.save()
        config.ignore_groups.add(group)
    assert shared.store.get(versions.VERSION_KEY) == version + 1
    snapshot = state.get_snapshot()
    assert snapshot.enabled
    assert snapshot.group_ids == {group.pk}


@pytest.mark.parametrize("relation", ["ignore_groups", "ignore_users"])
def test_m2m_changes_count(shared, clock, commit, committed, relation):
    config = MaintenanceConfig.get_solo()
    state.reset()
    state.get_snapshot()
    version = shared.store.get(versions.VERSION_KEY)
    member = GroupFactory() if relation == "ignore_groups" else UserFactory()
    with commit():
        getattr(config, relation).add(member)
    snapshot = state.get_snapshot()
    ids = snapshot.group_ids if relation == "ignore_groups" else snapshot.user_ids
    assert ids == {member.pk if relation == "ignore_groups" else str(member.pk)}
    assert shared.store.get(versions.VERSION_KEY) > version
    with commit():
        getattr(config, relation).remove(member)
    snapshot = state.get_snapshot()
    assert not (snapshot.group_ids if relation == "ignore_groups" else snapshot.user_ids)


# -- a process-local cache -------------------------------------------------------------


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ],
)
def test_process_local_cache_rereads_the_database_on_expiry(
    backend, clock, django_assert_num_queries
):
    with override_settings(CACHES={"default": {"BACKEND": backend}}):
        MaintenanceConfig.get_solo()
        state.get_snapshot()
        with django_assert_num_queries(0):
            state.get_snapshot()
        clock.advance(1.0)
        with django_assert_num_queries(LOAD_QUERIES_IN_TRANSACTION):
            state.get_snapshot()
        assert not versions.cache_is_shared()
        ids = [message.id for message in run_checks(include_deployment_checks=True)]
        assert "maintenance_panel.I001" in ids


def test_process_local_cache_is_never_trusted_for_another_process(clock):
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        with other_process():
            assert not state.get_snapshot().enabled
            elsewhere = state._holder
        # A write in "another process" is invisible to this process's LocMem; the
        # database tells it after the TTL.
        MaintenanceConfig.objects.update_or_create(
            pk=MaintenanceConfig.singleton_instance_id, defaults={"enabled": True}
        )
        state._holder, mine = elsewhere, state._holder
        try:
            clock.advance(1.0)
            assert state.get_snapshot().enabled
        finally:
            state._holder = mine


def test_shared_cache_has_no_info_check(shared):
    messages = run_checks(include_deployment_checks=True)
    assert "maintenance_panel.I001" not in [message.id for message in messages]


# -- the hot path's "known off" shortcut -------------------------------------------------


def test_known_off_yields_to_a_setting_and_to_a_write(clock):
    MaintenanceConfig.get_solo()
    state.get_snapshot()
    assert state.active_snapshot() is None
    with override_settings(MAINTENANCE_MODE=True):
        assert state.active_snapshot() is not None
    assert state.active_snapshot() is None
    save_config(enabled=True)
    assert state.active_snapshot() is not None
    save_config(enabled=False)
    assert state.active_snapshot() is None


def test_scheduled_window_opens_without_a_write(clock, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() + timedelta(minutes=5)
    save_config(enabled=True, starts_at=start)
    assert state.active_snapshot() is None
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=1))
    assert state.active_snapshot() is not None  # no TTL to wait: checked per request
