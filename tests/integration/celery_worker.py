"""A real Celery worker of the demo site (``celery_app``, ``celery_site``), with Redis as
broker and result backend: started as a subprocess in its own process group on a queue
of its own, stopped with its whole group; the test's side sends tasks, reads their
states and the worker's log, and counts the guestbook's rows in the site's database."""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.integration.machine import (
    HOST,
    PG_PORT,
    PYTHON,
    REDIS_PORT,
    ROOT,
    installed,
    unavailable,
)
from tests.integration.servers import Server, Servers
from tests.integration.sites import Site

if TYPE_CHECKING:
    from celery import Celery

BROKER_DB = int(os.environ.get("MAINTENANCE_PANEL_CELERY_BROKER_DB", "8"))
RESULTS_DB = int(os.environ.get("MAINTENANCE_PANEL_CELERY_RESULTS_DB", "9"))
BROKER_URL = f"redis://{HOST}:{REDIS_PORT}/{BROKER_DB}"
RESULTS_URL = f"redis://{HOST}:{REDIS_PORT}/{RESULTS_DB}"


def wait(what: str, done: Callable[[], bool], timeout: float, worker: Worker) -> None:
    """Wait until ``done()``; fail after ``timeout`` seconds, showing the worker's log."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} within {timeout}s; worker:\n{worker.output()}")
        if worker.process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{worker.output()}")
        time.sleep(0.1)


class Worker(Server):
    """``celery worker`` (one process, ``-P solo``) of ``site`` on a queue of its own."""

    def __init__(self, site: Site, servers: Servers) -> None:
        executable = installed("celery")
        self.queue = f"mp-it-celery-{uuid.uuid4().hex[:12]}"
        env = {
            **site.env(),
            "DJANGO_SETTINGS_MODULE": "tests.integration.celery_site",
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_RESULT_BACKEND": RESULTS_URL,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
        }
        command = [
            str(executable),
            "-A",
            "tests.integration.celery_app",
            "worker",
            "-P",
            "solo",
            "-Q",
            self.queue,
            "-n",
            f"{self.queue}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
        ]
        super().__init__("celery", command, env, 0, servers.logs)
        servers.append(self)
        self.sent: list[str] = []
        self.client = client(self.queue)

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until the worker says it is ready."""
        wait("ready", lambda: " ready." in self.output(), timeout, self)

    def output(self) -> str:
        """All the worker has logged so far (also once it stopped)."""
        if not self.log.closed:
            self.log.flush()
        return Path(self.log.name).read_text()

    def send(self, name: str, *args: Any) -> str:
        """Send task ``name`` with ``args`` to the worker's queue; its id."""
        task_id = self.client.send_task(name, args=args, queue=self.queue).id
        self.sent.append(task_id)
        return str(task_id)

    def state(self, task_id: str) -> str:
        return str(self.client.AsyncResult(task_id).state)

    def result(self, task_id: str) -> Any:
        """The task's result, or while it waits to be retried, the reason."""
        return self.client.AsyncResult(task_id).result

    def wait_state(self, task_id: str, state: str, timeout: float = 20) -> None:
        wait(f"{state} ({task_id})", lambda: self.state(task_id) == state, timeout, self)

    def retries_logged(self, task_id: str) -> list[str]:
        """The reasons the worker logged for the retries of ``task_id``."""
        return re.findall(rf"\[{re.escape(task_id)}\] retry: (.*)", self.output())

    def successes_logged(self, task_id: str) -> int:
        return len(re.findall(rf"\[{re.escape(task_id)}\] succeeded", self.output()))

    def left_in_queue(self) -> int:
        """The messages waiting in the worker's queue (after it stopped: those it held
        back for later are put back there)."""
        with self.client.connection_for_read() as connection:
            return int(connection.default_channel.client.llen(self.queue))

    def forget(self) -> None:
        """Remove the queue and the results of the tasks sent."""
        with self.client.connection_for_write() as connection:
            redis = connection.default_channel.client
            bindings = (f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
            redis.delete(self.queue, *bindings)
        for task_id in self.sent:
            self.client.AsyncResult(task_id).forget()
        self.client.close()


def client(queue: str) -> Celery:
    """A Celery app that sends to ``queue`` and reads the results (no tasks of its own)."""
    try:
        from celery import Celery
    except ImportError as exc:
        unavailable(f"{exc.name} is not installed")
    app = Celery("maintenance_panel_it_client", broker=BROKER_URL, backend=RESULTS_URL)
    app.conf.task_default_queue = queue
    return app


def manage(site: Site, *args: str) -> str:
    """``python manage.py ARGS`` on the site; its output (it must succeed)."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def rows(site: Site, name: str) -> int:
    """How many guestbook entries called ``name`` the site's database holds."""
    import psycopg

    with psycopg.connect(
        host=HOST, port=PG_PORT, user="postgres", dbname=site.database, autocommit=True
    ) as connection:
        found = connection.execute(
            "SELECT count(*) FROM demo_guestbookentry WHERE name = %s", [name]
        ).fetchone()
    return int(found[0]) if found else 0
