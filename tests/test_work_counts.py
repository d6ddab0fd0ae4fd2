"""Held work, counted per name over the last hour through the shared cache, and the
``held_during_maintenance`` decorator called from code (``call_command``)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command

from demo.models import GuestbookEntry
from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.fleet import held

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    caches["default"].clear()


def hold(name: str = "work_owned") -> SystemExit:
    stderr = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(name, stderr=stderr)
    assert stderr.getvalue().startswith(f"{name}: held, not run")
    return exited.value


def test_the_decorator_exits_75_and_the_body_does_not_run() -> None:
    set_maintenance_mode(True)

    assert hold().code == 75
    assert not GuestbookEntry.objects.exists()


def test_the_decorator_runs_the_body_when_off() -> None:
    stdout = StringIO()

    call_command("work_owned", stdout=stdout)

    assert stdout.getvalue() == "work_owned ran\n"
    assert GuestbookEntry.objects.count() == 1


def test_the_decorator_honours_the_exemptions(settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = ["^work_"]
    set_maintenance_mode(True)

    call_command("work_owned", stdout=StringIO())

    assert GuestbookEntry.objects.count() == 1


def test_held_work_is_counted_per_name() -> None:
    set_maintenance_mode(True)
    for _ in range(3):
        hold()
    held.record_held("reports.nightly")

    assert held.drain()
    assert held.read_held_counts() == {"work_owned": 3, "reports.nightly": 1}


def test_nothing_held_nothing_counted() -> None:
    call_command("work_owned", stdout=StringIO())

    assert held.drain()
    assert held.read_held_counts() == {}


def test_an_unreadable_cache_is_said_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    monkeypatch.setattr(held.cache_calls, "call", broken)

    with pytest.raises(held.ReportsUnavailable, match="cache down"):
        held.read_held_counts()
