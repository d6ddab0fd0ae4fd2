"""Starting and stopping the demo site's servers: gunicorn (with the test WSGI
application of ``pid_wsgi``, whose answers name their worker) and uvicorn, each a
subprocess in its own process group on a free port, its output in a file, stopped
with its whole group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.integration.asking import get, workers_of
from tests.integration.machine import HOST, ROOT, free_port, installed
from tests.integration.sites import Site


class Server:
    """A server subprocess in its own process group, stopped with the whole group."""

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        port: int,
        logs: Path,
        workers: int = 1,
    ) -> None:
        self.name = name
        self.port = port
        #: How many worker processes answer on ``port``, and their pids once known.
        self.workers = workers
        self.pids: set[str] = set()
        self.log = (logs / f"{name}-{port}.log").open("w+")  # closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until the server answers ``/healthz`` with 200; fail if it exits first
        or after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.output()}")
            try:
                if get(self.port, "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} did not answer within {timeout}s:\n{self.output()}")

    def output(self) -> str:
        """The end of what the server has printed so far."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-4000:]

    def terminate(self) -> None:
        """Ask the whole group to stop (SIGTERM), without waiting for it."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self) -> None:
        """Stop the whole group and wait until it has (killing it after 10 s)."""
        if self.process.poll() is None:
            self.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


class Servers(list[Server]):
    """The servers a test started; their output goes to files in ``logs``."""

    def __init__(self, logs: Path) -> None:
        super().__init__()
        self.logs = logs


def gunicorn(
    site: Site,
    servers: Servers,
    *,
    workers: int = 2,
    env: dict[str, str] | None = None,
    wait: bool = True,
    **ports: int,
) -> Server:
    """A gunicorn server of ``site``, once each of its workers has answered (their pids
    are in ``pids``); ``env`` adds to its environment. With ``wait=False`` it is only
    started: :func:`ready` waits for it (servers start faster side by side)."""
    executable = installed("gunicorn")
    port = free_port()
    server = Server(
        "gunicorn",
        [
            str(executable),
            "tests.integration.pid_wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "30",
            "--graceful-timeout",
            "2",
            "--log-level",
            "warning",
        ],
        {**site.env(**ports), **(env or {})},
        port,
        servers.logs,
        workers,
    )
    servers.append(server)
    if wait:
        ready(server)
    return server


def ready(*started: Server) -> None:
    """Wait until each gunicorn server of ``started`` answers, and learn the pids of its
    workers."""
    for server in started:
        server.wait_ready()
        server.pids = workers_of(server)


def uvicorn(site: Site, servers: Servers) -> Server:
    """A uvicorn server of ``site`` (the demo's ASGI application, one worker), once it
    answers."""
    executable = installed("uvicorn")
    port = free_port()
    server = Server(
        "uvicorn",
        [
            str(executable),
            "demo.asgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        site.env(),
        port,
        servers.logs,
    )
    servers.append(server)
    server.wait_ready()
    return server
