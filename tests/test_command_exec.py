"""``maintenance_mode exec`` and ``held_during_maintenance``, run from a real shell as cron
would: exit statuses, output, input and arguments as the command gives and gets them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

Shell = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Shell:
    """``python manage.py ARGS`` with the test settings and a database of its own."""
    database = tmp_path_factory.mktemp("exec") / "db.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite:///{database}",
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }

    def run(*args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env={**env, **extra},
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )

    migrated = run("migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    return run


@pytest.fixture
def off(shell: Shell) -> None:
    assert shell("maintenance_mode", "off").returncode == 0


@pytest.fixture
def on(shell: Shell) -> None:
    assert shell("maintenance_mode", "on", "--full", "--whole-site").returncode == 0


def entries(shell: Shell) -> int:
    code = "from demo.models import GuestbookEntry as G; print(G.objects.count())"
    done = shell("shell", "-c", code)
    return int(done.stdout.split()[-1])


# -- maintenance off: the command as if run directly --------------------------------


def test_arguments_and_options_pass_unchanged(shell: Shell, off: Any) -> None:
    args = ("work_echo", "a", "b c", "--verbosity", "2", "--even-in-maintenance")

    done = shell("maintenance_mode", "exec", *args)

    assert done.returncode == 0, done.stderr
    received = json.loads(done.stdout.splitlines()[0])
    assert received == {"words": ["a", "b c"], "even_in_maintenance": True, "verbosity": 2}
    assert done.stderr == "a line on stderr\n"


@pytest.mark.parametrize(
    "args",
    [("--", "-d"), ("x", "--no-such-option"), ("--help",), ("--status",)],
    ids=["double-dash", "unknown-option", "help", "missing-value"],
)
def test_exec_is_the_command_run_directly(shell: Shell, off: Any, args: tuple[str, ...]) -> None:
    direct = shell("work_echo", *args)

    through_exec = shell("maintenance_mode", "exec", "work_echo", *args)

    assert (through_exec.returncode, through_exec.stdout, through_exec.stderr) == (
        direct.returncode,
        direct.stdout,
        direct.stderr,
    )


def test_stdin_passes_through(shell: Shell, off: Any) -> None:
    done = shell("maintenance_mode", "exec", "work_echo", "--stdin", stdin="from the pipe\n")

    assert done.returncode == 0
    assert "stdin: from the pipe" in done.stdout


@pytest.mark.parametrize("status", [4, 3])
def test_the_commands_own_exit_status_passes_through(shell: Shell, off: Any, status: int) -> None:
    done = shell("maintenance_mode", "exec", "work_echo", "--status", str(status))

    assert done.returncode == status
    if status == 3:  # a CommandError, told as Django tells it
        assert "CommandError: failed on purpose" in done.stderr


def test_an_unknown_command_is_a_clear_error(shell: Shell, off: Any) -> None:
    done = shell("maintenance_mode", "exec", "no_such_command", "x")

    assert done.returncode == 1
    assert "CommandError: Unknown command 'no_such_command'" in done.stderr
    assert "Traceback" not in done.stderr


def test_exec_without_a_name_shows_the_usage(shell: Shell) -> None:
    done = shell("maintenance_mode", "exec", "--even-in-maintenance")

    assert done.returncode == 2
    assert "usage: manage.py maintenance_mode exec [-h] [--even-in-maintenance]" in done.stderr
    assert "the following arguments are required: NAME" in done.stderr


# -- full maintenance: held --------------------------------------------------------------


def test_held_work_exits_75_with_one_line(shell: Shell, on: Any) -> None:
    done = shell("maintenance_mode", "exec", "work_echo", "a")

    assert done.returncode == 75
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("work_echo: held, not run: the whole site is under maintenance")
    assert "until it is switched off; try again in 60 s" in line


def test_the_held_line_names_the_end_of_the_window(shell: Shell) -> None:
    assert shell("maintenance_mode", "on", "--end", "2099-01-01T00:00:00+00:00").returncode == 0

    done = shell("maintenance_mode", "exec", "work_echo", TZ="UTC")

    assert done.returncode == 75
    assert "until 2099-01-01 00:00:00 UTC (the end of the window)" in done.stderr


def test_even_in_maintenance_runs_it_anyway(shell: Shell, on: Any) -> None:
    done = shell("maintenance_mode", "exec", "--even-in-maintenance", "work_echo", "a")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["words"] == ["a"]


def test_exempt_work_runs(shell: Shell, on: Any) -> None:
    done = shell(
        "maintenance_mode", "exec", "work_echo", "a",
        DJANGO_SETTINGS_MODULE="tests.settings_exempt_work",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr


def test_scoped_maintenance_holds_nothing(shell: Shell) -> None:
    assert shell("maintenance_mode", "on", "--scope", "^/checkout/").returncode == 0

    assert shell("maintenance_mode", "exec", "work_echo").returncode == 0


# -- read-only maintenance: run under the write guard -------------------------------


@pytest.mark.parametrize("careful", [False, True])
def test_read_only_refuses_the_first_write_nothing_written(shell: Shell, careful: bool) -> None:
    assert shell("maintenance_mode", "on", "--read-only", "--whole-site").returncode == 0
    before = entries(shell)

    done = shell("maintenance_mode", "exec", "work_write", *(["--careful"] if careful else []))

    assert done.returncode == 75
    assert f"entries before: {before}" in done.stdout  # reads run
    assert done.stderr.splitlines()[-1].startswith(
        "work_write: stopped at its first database write, nothing written: the site is "
        "read-only for maintenance"
    )
    assert "Traceback" not in done.stderr
    assert entries(shell) == before


def test_read_only_lets_a_command_that_only_reads_run(shell: Shell) -> None:
    assert shell("maintenance_mode", "on", "--read-only", "--whole-site").returncode == 0

    assert shell("maintenance_mode", "exec", "work_echo").returncode == 0


def test_writes_go_through_once_maintenance_is_off(shell: Shell, off: Any) -> None:
    before = entries(shell)

    done = shell("maintenance_mode", "exec", "work_write")

    assert done.returncode == 0, done.stderr
    assert entries(shell) == before + 2


# -- the decorator -------------------------------------------------------------------


def test_the_decorator_holds_a_command_of_your_own(shell: Shell, on: Any) -> None:
    done = shell("work_owned")

    assert done.returncode == 75
    assert done.stderr.startswith("work_owned: held, not run")


def test_the_decorator_lets_it_run_when_off(shell: Shell, off: Any) -> None:
    done = shell("work_owned")

    assert (done.returncode, done.stdout) == (0, "work_owned ran\n")


def test_even_in_maintenance_reaches_a_decorated_command(shell: Shell, on: Any) -> None:
    done = shell("maintenance_mode", "exec", "--even-in-maintenance", "work_owned")

    assert (done.returncode, done.stdout) == (0, "work_owned ran\n")


def test_the_decorator_under_read_only_stops_the_write(shell: Shell) -> None:
    assert shell("maintenance_mode", "on", "--read-only", "--whole-site").returncode == 0
    before = entries(shell)

    done = shell("work_owned")

    assert done.returncode == 75
    assert done.stderr.startswith("work_owned: stopped at its first database write")
    assert entries(shell) == before
