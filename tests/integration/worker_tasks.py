"""The tasks the database worker runs in the worker test. Each notes what it did as a
line of the file ``path``, which the test reads."""

from __future__ import annotations

from pathlib import Path

from demo.models import GuestbookEntry
from maintenance_panel.tasks import held_during_maintenance

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the backport
    from django_tasks import task  # type: ignore[no-redef]


def _note(path: str, line: str) -> None:
    with Path(path).open("a", encoding="utf-8") as file:
        file.write(line + "\n")


@held_during_maintenance
@task
def note(path: str, line: str) -> None:
    _note(path, line)


@held_during_maintenance
@task
def exempt_note(path: str, line: str) -> None:
    _note(path, line)


@held_during_maintenance
@task
def write_entry(path: str, name: str) -> None:
    GuestbookEntry.objects.create(name=name, message="from the worker")
    _note(path, f"wrote {name}")


@held_during_maintenance
@task
def count_entries(path: str) -> None:
    _note(path, f"entries {GuestbookEntry.objects.count()}")
