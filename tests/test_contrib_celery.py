"""Celery tasks during maintenance (``MaintenanceAwareTask``), run as a worker runs them:
Celery's own tracer with the request a message gives, the copies sent again read back
from an in-memory broker, the states from an in-memory result backend (the app and its
tasks: ``tests.celery_tasks``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from demo.models import GuestbookEntry
from maintenance_panel.contrib.celery import TaskHeld
from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.fleet import held
from tests.celery_tasks import (
    auto,
    broken,
    careful,
    carry_on,
    count,
    eta,
    flaky,
    run_as_worker,
    sent,
    write,
    write_once,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_queue() -> Iterator[None]:
    sent()
    yield
    held.drain()


@pytest.fixture
def on() -> None:
    set_maintenance_mode(True)


@pytest.fixture
def read_only() -> None:
    set_maintenance_mode(True, read_only=True)


# -- maintenance off, scoped, exempt: the task runs ------------------------------------


def test_off_the_task_runs_as_usual() -> None:
    result = run_as_worker(write, "ada")

    assert (result.state, result.result) == ("SUCCESS", "ada")
    assert GuestbookEntry.objects.filter(name="ada").exists()
    assert sent() == []


def test_a_scoped_maintenance_does_not_hold_tasks() -> None:
    set_maintenance_mode(True, scope=["^/checkout/"])

    assert run_as_worker(write, "ada").state == "SUCCESS"
    assert GuestbookEntry.objects.count() == 1


def test_a_task_named_in_the_setting_runs_during_maintenance(on: None, settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = [r"^guestbook\.write$"]

    assert run_as_worker(write, "ada").state == "SUCCESS"
    assert run_as_worker(write_once, "bob").state == "RETRY"
    assert list(GuestbookEntry.objects.values_list("name", flat=True)) == ["ada"]


def test_a_task_named_in_the_admin_field_runs_during_maintenance(on: None, set_config: Any) -> None:
    set_config(ignore_tasks="^guestbook\\.count$")

    result = run_as_worker(count)

    assert (result.state, result.result) == ("SUCCESS", 0)


# -- held: the body does not run; the same message comes back later ---------------------


def test_a_held_task_does_not_run_and_is_sent_again_unchanged(on: None) -> None:
    before = timezone.now()
    result = run_as_worker(write, "ada", parent_id="parent-1", root_id="root-1")
    after = timezone.now()

    assert GuestbookEntry.objects.count() == 0
    assert result.state == "RETRY"
    assert isinstance(result.info, TaskHeld)
    assert str(result.info) == (
        "guestbook.write: held, not run: the whole site is under maintenance until it is "
        "switched off; tried again in 60 s."
    )
    [(headers, (args, kwargs, _))] = sent()
    assert (headers["id"], headers["task"], args, kwargs) == (
        result.id,
        "guestbook.write",
        ["ada"],
        {},
    )
    assert (headers["parent_id"], headers["root_id"], headers["retries"]) == (
        "parent-1",
        "root-1",
        0,
    )
    assert before + timedelta(seconds=60) <= eta(headers) <= after + timedelta(seconds=60)


def test_the_retry_comes_at_the_window_end_when_that_is_sooner(settings: Any) -> None:
    settings.MAINTENANCE_MODE_WORK_RETRY = 600
    set_maintenance_mode(True, start=timedelta(minutes=-5), end=timedelta(seconds=30))
    ends_at = timezone.now() + timedelta(seconds=30)

    result = run_as_worker(write, "ada")

    [(headers, _)] = sent()
    assert ends_at - timedelta(seconds=2) <= eta(headers) <= ends_at + timedelta(seconds=2)
    assert "(the end of the window); tried again in 30 s." in str(result.info)


def test_the_work_retry_setting_sets_the_delay(on: None, settings: Any) -> None:
    settings.MAINTENANCE_MODE_WORK_RETRY = 5
    before = timezone.now()

    run_as_worker(write, "ada")

    [(headers, _)] = sent()
    assert before + timedelta(seconds=5) <= eta(headers) <= timezone.now() + timedelta(seconds=5)


def test_held_many_times_a_task_with_max_retries_0_still_runs(on: None) -> None:
    retries = 0
    for _ in range(3):
        assert run_as_worker(write_once, "ada", retries=retries).state == "RETRY"
        [(headers, _)] = sent()
        retries = headers["retries"]
        assert retries == 0

    set_maintenance_mode(False)
    result = run_as_worker(write_once, "ada", retries=retries)

    assert (result.state, result.result) == ("SUCCESS", "ada")
    assert GuestbookEntry.objects.count() == 1


def test_a_task_retried_before_keeps_its_count(on: None) -> None:
    run_as_worker(write, "ada", retries=2)

    [(headers, _)] = sent()
    assert headers["retries"] == 2


def test_the_chain_and_callbacks_wait_with_the_task(on: None) -> None:
    step = dict(count.s(), args=[])  # as the message carries it (JSON)
    chain, callbacks = [step], [dict(step, immutable=True)]

    result = run_as_worker(write, "ada", chain=chain, callbacks=callbacks)

    [(headers, (_, _, embed))] = sent()  # the copy, and no message for count
    assert headers["id"] == result.id
    assert (embed["chain"], embed["callbacks"]) == (chain, callbacks)


def test_held_tasks_are_counted_per_name(on: None) -> None:
    assert held.drain()
    before = held.read_held_counts()

    run_as_worker(write, "ada")
    run_as_worker(write, "bob")
    run_as_worker(count)

    assert held.drain()
    after = held.read_held_counts()
    names = ("guestbook.write", "guestbook.count")
    assert [after[name] - before.get(name, 0) for name in names] == [2, 1]


def test_deciding_to_hold_needs_no_query(on: None, django_assert_num_queries: Any) -> None:
    run_as_worker(count)

    with django_assert_num_queries(0):
        run_as_worker(count)


# -- outside a worker: nothing can be sent again ----------------------------------------


def test_run_eagerly_a_held_task_ends_in_retry_without_running(on: None) -> None:
    result = write.apply(args=("ada",))

    assert result.state == "RETRY"
    assert GuestbookEntry.objects.count() == 0
    assert sent() == []


def test_called_directly_a_held_task_raises_task_held(on: None) -> None:
    with pytest.raises(TaskHeld, match=r"^guestbook\.write: held, not run"):
        write("ada")

    assert GuestbookEntry.objects.count() == 0


def test_called_directly_while_off_it_runs() -> None:
    assert write("ada") == "ada"


def test_read_only_called_directly_a_task_that_retries_is_held_once(
    read_only: None,
) -> None:
    assert held.drain()
    before = held.read_held_counts().get("guestbook.careful", 0)

    with pytest.raises(TaskHeld, match="stopped at its first database write"):
        careful("ada")

    assert held.drain()
    assert held.read_held_counts()["guestbook.careful"] == before + 1


# -- read-only maintenance: the body runs under the write guard -------------------------


def test_read_only_a_task_that_reads_runs(read_only: None) -> None:
    GuestbookEntry.objects.create(name="ada", message="before")

    result = run_as_worker(count)

    assert (result.state, result.result) == ("SUCCESS", 1)
    assert sent() == []


def test_read_only_a_refused_write_holds_the_task_not_fails_it(read_only: None) -> None:
    result = run_as_worker(write, "ada")

    assert GuestbookEntry.objects.count() == 0
    assert result.state == "RETRY"
    assert str(result.info).startswith(
        "guestbook.write: stopped at its first database write, nothing written: the site "
        "is read-only for maintenance until it is switched off; tried again in 60 s."
    )
    [(headers, (args, _, _))] = sent()
    assert (headers["id"], headers["retries"], args) == (result.id, 0, ["ada"])


@pytest.mark.parametrize(
    "task", [careful, carry_on, auto], ids=["self.retry", "carries-on", "autoretry_for"]
)
def test_read_only_whatever_the_task_makes_of_the_refusal_it_is_held_once(
    read_only: None, task: Any
) -> None:
    result = run_as_worker(task, "ada")

    assert result.state == "RETRY"
    assert isinstance(result.info, TaskHeld)
    [(headers, _)] = sent()  # one copy, its own retry not sent and not counted
    assert (headers["id"], headers["retries"]) == (result.id, 0)
    assert GuestbookEntry.objects.count() == 0


def test_read_only_an_error_of_a_task_that_only_read_is_its_own(read_only: None) -> None:
    result = run_as_worker(broken)

    assert result.state == "FAILURE"
    assert repr(result.result) == "ValueError('broken after a read')"
    assert sent() == []


def test_a_task_own_retries_are_counted_as_usual(read_only: None) -> None:
    result = run_as_worker(flaky, retries=1)

    assert result.state == "RETRY"
    [(headers, _)] = sent()
    assert headers["retries"] == 2


def test_read_only_an_exempt_task_writes(read_only: None, settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = [r"^guestbook\.write$"]

    assert run_as_worker(write, "ada").state == "SUCCESS"
    assert GuestbookEntry.objects.count() == 1


def test_read_only_without_blocking_writes_the_task_writes(read_only: None, settings: Any) -> None:
    settings.MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES = False

    assert run_as_worker(write, "ada").state == "SUCCESS"
    assert GuestbookEntry.objects.count() == 1


# -- the project's Celery module ------------------------------------------------------


def test_the_class_can_be_named_before_django_is_set_up() -> None:
    # A project's celery.py is imported (from its package's __init__) before Django's
    # apps are ready, and names the class there: Celery(..., task_cls=...).
    code = (
        "from celery import Celery\n"
        "from maintenance_panel.contrib.celery import MaintenanceAwareTask\n"
        "app = Celery('proj', task_cls=MaintenanceAwareTask)\n"
        "print(issubclass(app.Task, MaintenanceAwareTask))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\n"
