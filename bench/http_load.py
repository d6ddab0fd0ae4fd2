"""What the load benchmarks share: servers of the benchmark site started on free ports,
load put on them over HTTP, and the rounds that compare them.

Not run by itself: ``bench/load.py`` (gunicorn) and ``bench/load_asgi.py`` (uvicorn)
import it.

A round starts every server afresh (a process's own luck, such as its memory layout,
hash seed or core, must not decide the comparison), in a random order; checks that
each answers the page with the status it should and warms up every worker; then loads
the servers one at a time, ``seconds`` each, in a random order and back again (A B C
C B A: drift cancels out). The load comes from ``wrk`` when it is on PATH, else from a
bounded Python generator (one process per connection, sequential requests).
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def site_env(database: Path, *, panel: bool) -> dict[str, str]:
    """The environment of a process serving ``bench/site.py`` from ``database``, with
    this app's middleware or without it."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.site",
        BENCH_DATABASE=str(database),
        BENCH_PANEL="1" if panel else "0",
        PYTHONPATH=str(ROOT),
    )
    return env


def migrate(database: Path) -> None:
    subprocess.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from django.core.management import "
            "call_command; call_command('migrate', verbosity=0)",
        ],
        cwd=ROOT,
        env=site_env(database, panel=True),
        check=True,
        timeout=300,
    )


def status_of(port: int, path: str = "/") -> int:
    """The status of ``GET path`` on the server at ``port``."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Server(NamedTuple):
    """A running server: its port, and its process group (the first process's pid)."""

    port: int
    group: int


@contextmanager
def serving(
    name: str, command: list[str], *, port: int, env: dict[str, str], log: Path
) -> Iterator[Server]:
    """The server that ``command`` starts (in a session of its own, its output written
    to ``log``), once it answers on ``port``; its whole process group is stopped on
    leaving, also on error or Ctrl-C. ``name`` names it in an error."""
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                with suppress(OSError):
                    status_of(port, "/healthz")  # any answer: the server is up
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{name} did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
            yield Server(port, process.pid)
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def group_cpu(group: int) -> float:
    """CPU seconds (user + system) used so far by the processes of a process group,
    their threads included, exited ones too."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def load_with_wrk(port: int, seconds: int, connections: int, status: int) -> tuple[int, float]:
    """(requests answered, requests per second); every answer must be a ``status``."""
    result = subprocess.run(
        [
            *("wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s"),
            f"http://{HOST}:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    total = re.search(r"(\d+) requests in", result.stdout)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if total is None or rate is None:
        raise SystemExit(f"cannot read wrk's output:\n{result.stdout}")
    other = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    others = int(other.group(1)) if other else 0
    if others != (0 if status < 300 else int(total.group(1))):
        raise SystemExit(f"not every answer was a {status}:\n{result.stdout}")
    return int(total.group(1)), float(rate.group(1))


def _client(port: int, until: float, status: int, counter: multiprocessing.Value) -> None:  # type: ignore[valid-type]
    done = 0
    while time.time() < until:
        if status_of(port) != status:
            raise SystemExit(f"not a {status} under load")
        done += 1
    with counter.get_lock():  # type: ignore[attr-defined]
        counter.value += done  # type: ignore[attr-defined]


def load_with_python(port: int, seconds: int, connections: int, status: int) -> tuple[int, float]:
    """As ``load_with_wrk``, from one Python process per connection."""
    counter = multiprocessing.Value("l", 0)
    start = time.time()
    clients = [
        multiprocessing.Process(target=_client, args=(port, start + seconds, status, counter))
        for _ in range(connections)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=seconds + 30)
        if client.is_alive():
            client.kill()
    done: int = counter.value  # type: ignore[attr-defined]
    return done, done / (time.time() - start)


@dataclass(frozen=True)
class Load:
    """How the servers are loaded: ``seconds`` at a time, over ``connections``
    concurrent connections, by ``wrk`` when it is on PATH."""

    seconds: int
    connections: int
    wrk: bool = field(default_factory=lambda: shutil.which("wrk") is not None)

    @property
    def generator(self) -> str:
        return "wrk" if self.wrk else "Python clients"

    def __call__(self, port: int, seconds: int, status: int) -> tuple[int, float]:
        """(requests answered, requests per second) of ``seconds`` of load."""
        load = load_with_wrk if self.wrk else load_with_python
        return load(port, seconds, self.connections, status)


@dataclass
class Loaded:
    """What one server did in a round: the rate of each of its loads, the requests it
    answered and the CPU seconds its processes used meanwhile."""

    rates: list[float] = field(default_factory=list)
    requests: int = 0
    cpu: float = 0.0

    @property
    def rate(self) -> float:
        """Requests per second, the mean of its loads."""
        return statistics.mean(self.rates)

    @property
    def cpu_ms(self) -> float:
        """The servers' CPU milliseconds per request answered."""
        return self.cpu / self.requests * 1000


def load_round(
    starts: Mapping[str, Callable[[], AbstractContextManager[Server]]],
    statuses: Mapping[str, int],
    load: Load,
    rng: random.Random,
) -> dict[str, Loaded]:
    """One round (see the module's docstring) of the servers ``starts`` starts, each
    answering the page with its status in ``statuses``; by name, what it did."""
    names = list(starts)
    rng.shuffle(names)
    with ExitStack() as stack:
        servers = {name: stack.enter_context(starts[name]()) for name in names}
        for name, server in servers.items():
            if status_of(server.port) != statuses[name]:
                raise SystemExit(f"{name}: / did not answer {statuses[name]}")
            load(server.port, 1, statuses[name])  # warm up every worker
        rng.shuffle(names)
        loaded = {name: Loaded() for name in names}
        for name in [*names, *reversed(names)]:
            server = servers[name]
            before = group_cpu(server.group)
            done, rate = load(server.port, load.seconds, statuses[name])
            loaded[name].cpu += group_cpu(server.group) - before
            loaded[name].requests += done
            loaded[name].rates.append(rate)
    return loaded
