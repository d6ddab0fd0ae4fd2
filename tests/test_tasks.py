"""Django's tasks framework during maintenance: a task a worker starts while work is held
is enqueued again for later, with the same arguments, instead of running.

The worker is played by ``Task.call``, as the framework's workers run a task; the
dummy backend keeps what is enqueued, the immediate backend runs a task in ``enqueue``.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from demo.models import GuestbookEntry
from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.fleet import held

try:
    from maintenance_panel.tasks import FRAMEWORK, WorkHeld, held_during_maintenance
    from tests.workapp import tasks
except ImportError as exc:  # Django 5.2 without the backport (not installed with .[test])
    pytest.skip(str(exc), allow_module_level=True)

pytestmark = pytest.mark.django_db

# The backport resets its backends when TASKS changes from a receiver its app's ready()
# imports; the tests do not install the app, so they import the receiver themselves.
import_module(f"{FRAMEWORK}.signals")
task_backends = import_module(FRAMEWORK).task_backends

DUMMY = {
    "default": {
        "BACKEND": f"{FRAMEWORK}.backends.dummy.DummyBackend",
        "QUEUES": ["default", "mail"],
    }
}
IMMEDIATE = {"default": {"BACKEND": f"{FRAMEWORK}.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def ran() -> Iterator[list[Any]]:
    tasks.RAN.clear()
    yield tasks.RAN
    tasks.RAN.clear()


@pytest.fixture
def queue() -> Iterator[list[Any]]:
    """What is enqueued (the dummy backend's results)."""
    with override_settings(TASKS=DUMMY):
        backend = task_backends["default"]
        backend.clear()
        yield backend.results


@pytest.fixture
def immediate() -> Iterator[None]:
    with override_settings(TASKS=IMMEDIATE):
        yield


def held_counts() -> dict[str, int]:
    assert held.drain(5)
    return held.read_held_counts()


# -- the task runs -----------------------------------------------------------------------


def test_a_task_runs_while_maintenance_is_off(queue: list[Any], ran: list[Any]) -> None:
    assert tasks.echo.call("hi", times=2) == "hihi"

    assert ran == [("echo", "hi", 2)]
    assert queue == []


def test_the_immediate_backend_runs_it_while_maintenance_is_off(immediate: None) -> None:
    result = tasks.echo.enqueue("hi")

    assert result.status == "SUCCESSFUL"
    assert result.return_value == "hi"


def test_an_exempt_task_runs_during_maintenance(queue: list[Any], ran: list[Any]) -> None:
    set_maintenance_mode(True)

    with override_settings(MAINTENANCE_MODE_IGNORE_TASKS=[r"^tests\.workapp\.tasks\.echo$"]):
        assert tasks.echo.call("hi") == "hi"

    assert ran == [("echo", "hi", 1)]
    assert queue == []


def test_a_scoped_maintenance_holds_no_task(queue: list[Any], ran: list[Any]) -> None:
    set_maintenance_mode(True, scope=["^/checkout/"])

    assert tasks.echo.call("hi") == "hi"

    assert ran == [("echo", "hi", 1)]


# -- held: enqueued again ----------------------------------------------------------------


def test_a_held_task_is_enqueued_again_with_its_arguments(queue: list[Any], ran: list[Any]) -> None:
    set_maintenance_mode(True)
    before = timezone.now()

    assert tasks.echo.using(queue_name="mail", priority=5).call("hi", times=3) is None

    after = timezone.now()
    assert ran == []
    [again] = queue
    assert (again.args, again.kwargs) == (["hi"], {"times": 3})
    assert again.task.module_path == "tests.workapp.tasks.echo"
    assert (again.task.queue_name, again.task.priority) == ("mail", 5)
    assert before + timedelta(seconds=60) <= again.task.run_after <= after + timedelta(seconds=60)
    assert held_counts()["tests.workapp.tasks.echo"] >= 1


def test_the_delay_follows_the_setting_and_the_window(queue: list[Any]) -> None:
    set_maintenance_mode(True, end=timedelta(seconds=20))

    with override_settings(MAINTENANCE_MODE_WORK_RETRY=5):
        tasks.echo.call("a")
    tasks.echo.call("b")  # the window ends in 20 s: sooner than 60

    now = timezone.now()
    first, second = (result.task.run_after - now for result in queue)
    assert timedelta(seconds=3) < first <= timedelta(seconds=5)
    assert timedelta(seconds=15) < second <= timedelta(seconds=20)


def test_the_task_enqueued_again_runs_once_maintenance_is_off(
    queue: list[Any], ran: list[Any]
) -> None:
    set_maintenance_mode(True)
    tasks.echo.call("later")
    set_maintenance_mode(False)

    [again] = queue
    assert again.task.call(*again.args, **again.kwargs) == "later"
    assert ran == [("echo", "later", 1)]


def test_a_task_that_takes_its_context_is_enqueued_again_without_it(queue: list[Any]) -> None:
    set_maintenance_mode(True)

    assert tasks.with_context.call(object(), "hi") is None

    [again] = queue
    assert (again.args, again.kwargs) == (["hi"], {})


@pytest.mark.django_db(transaction=True)
async def test_a_worker_that_awaits_tasks_holds_them_too(queue: list[Any], ran: list[Any]) -> None:
    await sync_to_async(set_maintenance_mode)(True)

    assert await tasks.echo_async.acall("hi") is None

    assert ran == []
    assert [result.args for result in queue] == [["hi"]]


# -- read-only: under the write guard -----------------------------------------------------


def test_read_only_a_task_that_writes_is_enqueued_again_nothing_written(
    queue: list[Any], ran: list[Any]
) -> None:
    set_maintenance_mode(True, read_only=True)

    assert tasks.write_entry.call("cron") is None

    assert ran == [("write_entry", "cron")]  # it started, and was stopped at its write
    assert GuestbookEntry.objects.count() == 0
    assert [(result.args, result.task.run_after is not None) for result in queue] == [
        (["cron"], True)
    ]


def test_read_only_a_task_that_reads_runs(queue: list[Any]) -> None:
    GuestbookEntry.objects.create(name="a", message="b")
    set_maintenance_mode(True, read_only=True)

    assert tasks.count_entries.call() == 1

    assert queue == []


# -- a backend that cannot defer -----------------------------------------------------------


def test_the_immediate_backend_refuses_a_held_task(immediate: None, ran: list[Any]) -> None:
    set_maintenance_mode(True, end=timedelta(hours=1))

    with pytest.raises(WorkHeld) as caught:
        tasks.echo.enqueue("hi")

    message = str(caught.value)
    assert message.startswith("tests.workapp.tasks.echo: held, not run")
    assert "until " in message
    assert "(the end of the window)" in message
    assert "cannot defer" in message
    assert caught.value.name == "tests.workapp.tasks.echo"
    assert caught.value.ends_at is not None
    assert ran == []


def test_the_immediate_backend_refuses_a_task_stopped_at_its_write(immediate: None) -> None:
    set_maintenance_mode(True, read_only=True)

    with pytest.raises(WorkHeld, match="stopped at its first database write, nothing written"):
        tasks.write_entry.enqueue("cron")

    assert GuestbookEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
async def test_the_immediate_backend_refuses_a_held_task_awaited(immediate: None) -> None:
    await sync_to_async(set_maintenance_mode)(True)

    with pytest.raises(WorkHeld, match=r"^tests\.workapp\.tasks\.echo: held"):
        await tasks.echo.aenqueue("hi")


# -- how it is applied ---------------------------------------------------------------------


def test_below_task_it_says_where_it_goes() -> None:
    with pytest.raises(TypeError, match="put it above @task"):
        held_during_maintenance(tasks.RAN.append)


def test_applied_twice_it_holds_once() -> None:
    assert held_during_maintenance(tasks.echo) is tasks.echo


def test_a_task_is_pickled_by_its_path_and_comes_back_held() -> None:
    again = pickle.loads(pickle.dumps(tasks.echo.using(priority=5)))

    assert again == tasks.echo.using(priority=5)
    assert type(again) is type(tasks.echo)


def test_a_task_of_a_backends_own_class_is_held_too(queue: list[Any], ran: list[Any]) -> None:
    set_maintenance_mode(True)

    assert tasks.own_echo.call("hi") is None

    assert isinstance(tasks.own_echo, tasks.OwnTask)
    another = held_during_maintenance(tasks.OwnTask(func=tasks.own_echo.func))
    assert type(another) is type(tasks.own_echo)
    assert ran == []
    [again] = queue
    assert (again.args, type(again.task)) == (["hi"], type(tasks.own_echo))


def test_a_task_of_a_backends_own_class_is_pickled_as_held() -> None:
    assert pickle.loads(pickle.dumps(tasks.own_echo)) == tasks.own_echo


async def test_an_awaited_task_runs_while_maintenance_is_off(
    queue: list[Any], ran: list[Any]
) -> None:
    assert await tasks.echo_async.acall("hi") == "hi"
    await tasks.echo.aenqueue("later")

    assert ran == [("echo_async", "hi")]
    assert [result.args for result in queue] == [["later"]]


def test_called_outside_enqueue_on_a_backend_that_cannot_defer(immediate: None) -> None:
    set_maintenance_mode(True)

    with pytest.raises(WorkHeld, match="cannot defer"):
        tasks.echo.call("hi")


def test_without_a_tasks_framework_it_says_what_to_install(monkeypatch: Any) -> None:
    import maintenance_panel.tasks

    monkeypatch.setattr(maintenance_panel.tasks, "Task", None)

    with pytest.raises(ImproperlyConfigured, match=r"django-maintenance-control-panel\[tasks\]"):
        held_during_maintenance(tasks.echo)
