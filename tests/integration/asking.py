"""Asking the servers: one request, timed, with the worker that answered it; as many
requests at once as a server has workers, so that each worker takes one; and a steady
load of requests, as on a busy site.

A gunicorn sync worker takes one connection at a time, so requests that hold their
worker a moment (``X-Hold``, see ``pid_wsgi``) and are sent together go to different
workers; requests sent one after another may all go to the same one.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.integration.machine import HOST

if TYPE_CHECKING:
    from tests.integration.servers import Server

#: How long a probe keeps its worker busy: requests sent together still overlap in the
#: workers when the machine is busy, so each idle worker has to take one.
PROBE_HOLD = 0.2
#: How long each request of a load keeps its worker busy: with one thread per worker,
#: every worker holds one request and takes the next about this often (TTL / 20).
LOAD_HOLD = 0.05


@dataclass
class Answer:
    """One response: its status, the worker that gave it (its pid, ``?`` when the
    server does not say), when it was sent and received (``time.time()``)."""

    status: int
    worker: str
    sent: float
    received: float


def get(
    port: int, path: str = "/", timeout: float = 5, hold: float = 0.0
) -> http.client.HTTPResponse:
    """A request on a new connection; ``hold`` asks the worker to wait that long first
    (the test WSGI application does, see ``pid_wsgi``)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout + hold)
    headers = {"Connection": "close", "Accept": "text/html"}
    if hold:
        headers["X-Hold"] = f"{hold:.3f}"
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def ask(port: int, path: str = "/", hold: float = 0.0) -> Answer:
    """:func:`get`, timed."""
    sent = time.time()
    response = get(port, path, hold=hold)
    return Answer(response.status, response.getheader("X-Worker", "?"), sent, time.time())


# -- every worker at once --------------------------------------------------------------


def ask_together(port: int, count: int, path: str = "/", hold: float = PROBE_HOLD) -> list[Answer]:
    """``count`` requests sent at the same moment, each holding its worker ``hold``
    seconds: a sync worker takes no other connection while it holds one, so ``count``
    idle workers answer one each."""
    start = threading.Barrier(count)

    def one() -> Answer:
        start.wait(timeout=10)
        return ask(port, path, hold)

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(one) for _ in range(count)]
        return [future.result() for future in futures]


def by_worker(
    server: Server, path: str = "/", pids: set[str] | None = None, timeout: float = 30
) -> dict[str, list[Answer]]:
    """Answers to ``path`` by worker, asked ``server.workers`` at a time until each of
    ``pids`` has answered (by default, until ``server.workers`` workers have)."""
    answers: dict[str, list[Answer]] = {}

    def reached() -> bool:
        if pids is None:
            return len(answers) >= server.workers
        return set(answers) >= pids

    deadline = time.monotonic() + timeout
    while not reached():
        if time.monotonic() > deadline:
            wanted = server.workers if pids is None else sorted(pids)
            raise AssertionError(
                f"only workers {sorted(answers)} of {wanted} answered within {timeout}s"
            )
        for answer in ask_together(server.port, server.workers, path):
            answers.setdefault(answer.worker, []).append(answer)
    return answers


def workers_of(server: Server) -> set[str]:
    """The pids of the worker processes of ``server``, each found by a probe."""
    return set(by_worker(server))


# -- load ------------------------------------------------------------------------------


class Load:
    """Requests to each server from as many threads as it has workers, each request
    holding its worker ``hold`` seconds, until :meth:`stop`: every worker holds one
    at a time and takes the next when it is done, so each keeps answering, as on a
    busy site (requests one after another could all go to the same worker)."""

    def __init__(self, servers: list[Server], path: str = "/", hold: float = LOAD_HOLD) -> None:
        self.answers: dict[int, list[Answer]] = {server.port: [] for server in servers}
        self.errors: list[OSError | http.client.HTTPException] = []
        self._path = path
        self._hold = hold
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(server.port,), daemon=True)
            for server in servers
            for _ in range(server.workers)
        ]
        for thread in self._threads:
            thread.start()

    def _run(self, port: int) -> None:
        while not self._stopping.is_set():
            try:
                answer = ask(port, self._path, self._hold)
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(exc)
                self._stopping.wait(self._hold)
                continue
            self.answers[port].append(answer)

    def now(self) -> dict[int, list[Answer]]:
        """The answers so far (copies: the threads go on adding to them)."""
        return {port: list(answers) for port, answers in self.answers.items()}

    def stop(self) -> None:
        """Stop asking once the requests on their way are answered."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=30)


@contextlib.contextmanager
def load(servers: list[Server], path: str = "/", hold: float = LOAD_HOLD) -> Iterator[Load]:
    """A :class:`Load` while the block runs; every one of its requests must be answered."""
    running = Load(servers, path, hold)
    try:
        yield running
    finally:
        running.stop()
    assert not running.errors, f"{len(running.errors)} requests failed: {running.errors[:3]}"
