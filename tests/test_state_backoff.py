"""A shared cache that fails or hangs: the time limit per call, the back-off, and what is
served meanwhile (:mod:`maintenance_panel.cache_calls`, :func:`maintenance_panel.state.refresh`).

The fake cache's calls raise (``broken``) or block until the test ends (``hanging``, a
server that accepts and never answers); the back-off runs on the fake clock."""

from __future__ import annotations

import itertools
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from maintenance_panel import cache_calls, fleet, state
from maintenance_panel.models import MaintenanceConfig
from tests.fakes import other_process
from tests.helpers import save_config

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls")]

#: How long the tests let a call to the hanging cache wait (instead of 0.25 s): long
#: enough that a healthy call is never given up on, even on a busy machine.
LIMIT = 0.5


@pytest.fixture(autouse=True)
def short_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_calls, "REQUEST_LIMIT", LIMIT)


def forget_calls(shared: Any) -> None:
    """Start counting the cache's calls afresh, once the reports this process handed to
    its writer thread are written (they would be counted as the state's calls)."""
    assert fleet.drain()
    shared.calls.clear()


def change_behind_its_back(**fields: Any) -> None:
    """Change the stored state without telling this process (another process's write
    while the cache could not carry it)."""
    MaintenanceConfig.objects.update(**fields)


def revalidate() -> bool:
    """Re-validate now (the TTL run out): whether maintenance is on."""
    state.expire()
    return state.get_snapshot().enabled


def calls_when_revalidating_every(
    step: float, seconds: float, clock: Any, shared: Any
) -> list[float]:
    """Re-validate every ``step`` seconds for ``seconds``: when the cache was called,
    relative to the start."""
    start = clock.now
    seen: list[float] = []
    for _ in range(round(seconds / step)):
        clock.advance(step)
        before = len(shared.calls)
        revalidate()
        if len(shared.calls) > before:
            seen.append(clock.now - start)
    return seen


# -- a request waits at most the limit, once per back-off period -------------------------


def test_a_hanging_cache_costs_one_call_then_the_state_comes_from_the_database(
    shared, clock, committed
):
    save_config(enabled=True)
    assert state.get_snapshot().enabled
    forget_calls(shared)
    shared.hanging = True
    clock.advance(1.0)
    assert state.get_snapshot().enabled  # the call gave up after LIMIT; the database answered
    assert shared.calls == ["get"]
    change_behind_its_back(enabled=False)
    assert not revalidate()  # within the delay: the database, and no call
    assert shared.calls == ["get"]


def test_requests_are_answered_while_the_cache_hangs(client, shared, clock, committed):
    save_config(enabled=True)
    assert client.get("/").status_code == 503
    forget_calls(shared)
    shared.hanging = True
    statuses = []
    for _ in range(20):
        clock.advance(0.5)  # 10 s of requests, two per TTL
        statuses.append(client.get("/").status_code)
    assert statuses == [503] * 20
    # One call reached the cache. The tries after each delay found it still busy with
    # that call, given up on: they failed at once, without calling it again.
    assert shared.calls == ["get"]


def test_a_second_request_within_the_delay_does_not_call_the_cache(shared, clock, committed):
    save_config(enabled=True)
    state.get_snapshot()
    forget_calls(shared)
    shared.broken = True
    clock.advance(1.0)
    assert state.get_snapshot().enabled
    assert shared.calls == ["get"]
    clock.advance(0.9)
    assert revalidate()
    assert shared.calls == ["get"]
    clock.advance(0.1)  # the first delay (1 s) has run out: one try
    assert revalidate()
    assert shared.calls == ["get", "get"]


def test_the_delay_doubles_up_to_its_maximum(shared, clock, committed):
    save_config(enabled=True)
    state.get_snapshot()
    forget_calls(shared)
    shared.broken = True
    tries = calls_when_revalidating_every(1.0, 95, clock, shared)
    gaps = [after - before for before, after in itertools.pairwise(tries)]
    assert gaps[:7] == [1, 2, 4, 8, 16, 30, 30]
    assert cache_calls.MAX_DELAY == 30


def test_an_answer_ends_the_back_off(shared, clock, committed):
    save_config(enabled=True)
    state.get_snapshot()
    shared.broken = True
    tries = calls_when_revalidating_every(0.5, 7.5, clock, shared)
    assert len(tries) == 4  # at 0.5, 1.5, 3.5, 7.5 s: delays of 1, 2 and 4 s
    shared.broken = False
    clock.advance(8.0)
    forget_calls(shared)
    assert revalidate()
    assert shared.calls  # asked, and answered: the back-off is over
    assert not cache_calls.backing_off()
    forget_calls(shared)
    shared.broken = True
    assert calls_when_revalidating_every(0.5, 3.0, clock, shared) == [0.5, 1.5]  # 1 s again


def test_threads_do_not_pile_onto_a_hanging_cache(shared):
    shared.hanging = True
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def one() -> None:
        start.wait(timeout=5)
        try:
            cache_calls.call(lambda cache: cache.get("key"))
        except cache_calls.CacheUnavailable as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert shared.calls == ["get"]  # one call reached the cache
    assert len(outcomes) == 8  # every thread was answered: no answer, or not asked
    assert set(outcomes) <= {"NoAnswer", "BackingOff"}


# -- what is skipped, what is still tried ----------------------------------------------


def test_fleet_reports_are_skipped_while_backing_off(client, shared, clock, committed):
    client.get("/")
    assert fleet.drain()
    shared.broken = True
    clock.advance(1.0)
    client.get("/")  # the re-validation fails: the process backs off
    assert fleet.drain()
    forget_calls(shared)
    state.expire()
    client.get("/")  # re-validated from the database; its report is not written
    assert fleet.drain()
    assert shared.calls == []


def test_the_reports_are_not_read_while_backing_off(shared, clock, committed):
    shared.broken = True
    with pytest.raises(fleet.ReportsUnavailable, match="refused"):
        fleet.read_reports()
    forget_calls(shared)
    with pytest.raises(fleet.ReportsUnavailable, match=r"next try in 1\.0 s"):
        fleet.read_reports()
    assert shared.calls == []


def test_a_change_made_while_the_cache_failed_is_not_undone_when_it_answers(
    shared, clock, commit, committed
):
    with commit():
        save_config(enabled=True)  # stored in the cache under its version
    with other_process():
        assert state.get_snapshot().enabled
        reader = state._holder
    shared.broken = True
    with other_process(), commit():
        save_config(enabled=False)  # a command that exits before the cache answers again
    state._holder = reader
    clock.advance(1.0)
    assert not state.get_snapshot().enabled  # from the database
    shared.broken = False
    clock.advance(cache_calls.MAX_DELAY)
    assert not state.get_snapshot().enabled  # not the old data the cache still held
    with other_process():  # a process started after the outage
        assert not state.get_snapshot().enabled


def test_a_write_announces_itself_even_while_backing_off(shared, clock, commit, committed):
    state.get_snapshot()
    shared.broken = True
    clock.advance(1.0)
    state.get_snapshot()  # fails: backing off
    shared.broken = False
    with commit():
        save_config(enabled=True)
    assert shared.calls[-2:] == ["incr", "add"]  # bumped, and the new data stored
    with other_process():
        assert state.get_snapshot().enabled


# -- the command -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "enabled_after"),
    [(["off", "--wait"], False), (["on", "--wait"], True), (["wait"], None)],
)
def test_waiting_gives_up_at_its_timeout_and_says_the_cache_did_not_answer(
    shared, committed, monkeypatch, args, enabled_after
):
    save_config(enabled=enabled_after is not True)
    shared.hanging = True
    # The command's change commits, as outside a test: its publish() runs at once.
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    with pytest.raises(CommandError) as raised:
        call_command("maintenance_mode", *args, "--timeout", "0.5", stdout=StringIO())
    message = str(raised.value)
    assert "Cannot read the fleet reports" in message
    assert "the cache did not answer within 0.5 s" in message
    assert "the change itself is saved" in message
    if enabled_after is not None:
        assert MaintenanceConfig.get_solo().enabled is enabled_after
