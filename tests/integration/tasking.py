"""Django's tasks framework for real: django-tasks-db's worker (``manage.py db_worker``)
as a process of its own, and the producer, a separate process (``manage.py shell -c``)
that switches maintenance mode, enqueues tasks and reads the task table when asked. Both
run the site with the settings ``tests.integration.tasks_site``."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any, TypeVar

from tests.integration.machine import PYTHON, ROOT, unavailable
from tests.integration.sites import Site

SETTINGS = "tests.integration.tasks_site"
#: Every queue, polled every 0.1 s, from the start, without reloading on code changes.
WORKER_OPTIONS = ("--queue-name", "*", "--interval", "0.1", "--no-startup-delay", "--no-reload")
T = TypeVar("T")

#: What the producer runs: one JSON order a line, one JSON answer a line.
PRODUCER = """
import json, sys
from demo.models import GuestbookEntry
from django_tasks_db.models import DBTaskResult
from maintenance_panel.core import set_maintenance_mode
from maintenance_panel.fleet.held import read_held_counts
from tests.integration import worker_tasks
print(json.dumps("ready"), flush=True)
for line in sys.stdin:
    order = json.loads(line)
    if order["do"] == "switch":
        set_maintenance_mode(order["on"], read_only=order["read_only"], title="Tasks test")
        answer = None
    elif order["do"] == "enqueue":
        answer = str(getattr(worker_tasks, order["task"]).enqueue(*order["args"]).id)
    elif order["do"] == "results":
        rows = DBTaskResult.objects.order_by("enqueued_at")
        answer = [[row.task_path.rsplit(".", 1)[1], row.status] for row in rows]
    elif order["do"] == "entries":
        answer = GuestbookEntry.objects.count()
    else:
        answer = read_held_counts(limit=5)
    print(json.dumps(answer), flush=True)
"""


def needs_tasks_db() -> None:
    """Skip (fail under ``CI=true``) where django-tasks-db or a tasks framework is missing."""
    if find_spec("django_tasks_db") is None:
        unavailable("django-tasks-db is not installed (pip install -e '.[tasks]')")
    if find_spec("django.tasks") is None and find_spec("django_tasks") is None:
        unavailable("no tasks framework: Django 6, or django-tasks on Django 5.2")


def env(site: Site) -> dict[str, str]:
    """The environment of the site's processes, with the tasks settings."""
    return {**site.env(), "DJANGO_SETTINGS_MODULE": SETTINGS}


def migrate_tasks(site: Site) -> None:
    """Create django-tasks-db's table in the site's database (it has the demo's)."""
    result = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env(site),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def wait_until(
    what: str, check: Callable[[], T | None], *, worker: Worker, timeout: float = 20
) -> T:
    """The first true answer of ``check()``, asked every 0.1 s; fails after ``timeout``,
    showing what the worker printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout}s: {what}; the worker said:\n{worker.output()}")


def _stop(process: subprocess.Popen[Any], how: Callable[[], None]) -> None:
    if process.poll() is None:
        how()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class Worker:
    """``manage.py db_worker`` on every queue, polling every 0.1 s; its output goes to
    ``log`` (shown when a test fails)."""

    def __init__(self, site: Site, log: Path) -> None:
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [PYTHON, "manage.py", "db_worker", *WORKER_OPTIONS],
                cwd=ROOT,
                env=env(site),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        """Ask it to finish (SIGTERM) and wait; kill it after 10 s."""
        _stop(self.process, lambda: os.killpg(self.process.pid, signal.SIGTERM))


class Producer:
    """Switches, enqueues and reads the task table in a process of the site's."""

    def __init__(self, site: Site) -> None:
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "--no-imports", "-v", "0", "-c", PRODUCER],
            cwd=ROOT,
            env=env(site),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self._answer() == "ready"

    def _answer(self, timeout: float = 60) -> Any:
        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        try:
            ready = selector.select(timeout)
        finally:
            selector.close()
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.stop()
            assert self.process.stderr is not None
            raise AssertionError(f"the producer did not answer:\n{self.process.stderr.read()}")
        return json.loads(line)

    def ask(self, do: str, **order: Any) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"do": do, **order}) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def switch(self, on: bool, *, read_only: bool = False) -> None:
        self.ask("switch", on=on, read_only=read_only)

    def enqueue(self, task: str, *args: Any) -> str:
        return str(self.ask("enqueue", task=task, args=list(args)))

    def results(self, task: str) -> list[str]:
        """The statuses of the task's results, oldest first."""
        return [status for name, status in self.ask("results") if name == task]

    def stop(self) -> None:
        """Close its input, so that it exits, and wait (killing it after 10 s)."""
        assert self.process.stdin is not None
        _stop(self.process, self.process.stdin.close)
