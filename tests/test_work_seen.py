"""Held work from code and as reported: the ``held_during_maintenance`` decorator and
``exec`` called with ``call_command``, the counts per name over the last hour (through
the shared cache), and what ``status``, ``--json`` and the panel say of it."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command

from demo.models import GuestbookEntry
from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.fleet import held
from tests.helpers import PANEL, logged_in, text

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


# -- seen from status, --json and the panel ---------------------------------------------


def status(*args: str) -> str:
    out = StringIO()
    call_command("maintenance_mode", "status", *args, stdout=out)
    return out.getvalue()


def test_status_says_work_runs_while_off() -> None:
    output = status()

    assert "Background work: runs (maintenance is off)" in output
    assert "  keeps running: -" in output
    assert "  held in the last hour: -" in output


def test_status_says_work_is_held_and_counts_it(settings: Any, set_config: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = ["^clearsessions$"]
    set_config(ignore_tasks="^reports\\.")
    set_maintenance_mode(True)
    hold()
    held.drain()

    output = status()

    assert (
        "Background work: held (full maintenance of the whole site); tried again after 60 s"
        in output
    )
    assert "  keeps running: ^clearsessions$ (settings), ^reports\\." in output
    assert "  held in the last hour: work_owned 1" in output


def test_status_json_has_a_work_key(settings: Any) -> None:
    settings.MAINTENANCE_MODE_IGNORE_TASKS = ["^clearsessions$"]
    set_maintenance_mode(True, read_only=True)
    held.record_held("export")
    held.drain()

    document = json.loads(status("--json"))["work"]

    assert document == {
        "held": False,
        "reason": "read_only",
        "explanation": "runs, under the write guard (read-only maintenance)",
        "retry_after": None,
        "exempt": {"settings": ["^clearsessions$"], "admin": []},
        "held_last_hour": {"export": 1},
        "held_last_hour_error": None,
    }


def test_status_says_when_the_counts_cannot_be_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    monkeypatch.setattr(held.cache_calls, "call", broken)

    assert "  held in the last hour: cannot be read (cache down)" in status()


def test_the_panel_has_a_background_work_section(operator: Any, set_config: Any) -> None:
    set_config(ignore_tasks="^reports\\.")
    set_maintenance_mode(True)
    hold()
    held.drain()

    body = text(logged_in(operator).get(PANEL))

    section = body[body.index("Background work Background work is held") :]
    assert "Held work is tried again after 60 s." in section
    assert "Keeps running during maintenance: ^reports\\." in section
    assert "Name Held in the last hour work_owned 1" in section


def test_the_panel_says_a_scoped_maintenance_holds_nothing(operator: Any) -> None:
    set_maintenance_mode(True, scope=["^/shop/"])

    body = text(logged_in(operator).get(PANEL))

    assert "Background work runs: a scoped maintenance holds no background work." in body
    assert "No work was held in the last hour." in body


# -- exec from code ---------------------------------------------------------------------


def test_exec_from_call_command_runs_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("maintenance_mode", "exec", "work_echo", "a", "b")

    assert json.loads(capsys.readouterr().out)["words"] == ["a", "b"]


def test_exec_from_call_command_is_held_too() -> None:
    set_maintenance_mode(True)
    stderr = StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("maintenance_mode", "exec", "work_echo", stderr=stderr)

    assert exited.value.code == 75
    assert stderr.getvalue().startswith("work_echo: held, not run")


def test_exec_needs_a_name() -> None:
    with pytest.raises(CommandError, match="exec needs the name of a management command"):
        call_command("maintenance_mode", "exec")


def test_even_in_maintenance_goes_only_with_exec() -> None:
    with pytest.raises(CommandError, match="--even-in-maintenance does not go with `status`"):
        call_command("maintenance_mode", "status", even_in_maintenance=True)
