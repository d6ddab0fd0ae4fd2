"""Tasks of Django's tasks framework that the tests start as a worker would: one that
echoes, one that writes a guestbook entry, one that only reads, one that takes the
task's context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from demo.models import GuestbookEntry
from maintenance_panel.tasks import Task, held_during_maintenance

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the backport
    from django_tasks import task  # type: ignore[no-redef]

#: What the tasks ran, in order (the tests clear it).
RAN: list[Any] = []


@held_during_maintenance
@task
def echo(value: str, *, times: int = 1) -> str:
    RAN.append(("echo", value, times))
    return value * times


@held_during_maintenance
@task
def write_entry(name: str) -> int:
    RAN.append(("write_entry", name))
    return GuestbookEntry.objects.create(name=name, message="from a task").pk


@held_during_maintenance
@task
def count_entries() -> int:
    RAN.append(("count_entries",))
    return GuestbookEntry.objects.count()


@held_during_maintenance
@task(takes_context=True)
def with_context(context: Any, value: str) -> str:
    RAN.append(("with_context", value))
    return value


@held_during_maintenance
@task
async def echo_async(value: str) -> str:
    RAN.append(("echo_async", value))
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnTask(Task):  # type: ignore[misc]
    """A task class of a backend's own."""


def own_echo(value: str) -> str:
    RAN.append(("own_echo", value))
    return value


own_echo = held_during_maintenance(OwnTask(func=own_echo))  # type: ignore[assignment]
