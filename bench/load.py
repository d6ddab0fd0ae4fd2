"""Throughput under gunicorn: bare Django against the app installed, maintenance off.

Run from the repository root::

    .venv/bin/python bench/load.py [--rounds 6] [--seconds 5] [--connections 4]

Starts two gunicorn servers (2 sync workers each) on free ports of 127.0.0.1, both
serving ``bench/site.py``'s page from one migrated SQLite file: one without
``MaintenanceModeMiddleware`` (bare), one with it and maintenance off. Each round starts
both afresh and loads them one at a time in the order A B B A, ``--seconds`` each; the
figure is the median over the rounds of the ratio of the two, measured side by side.

The load comes from ``wrk`` (Debian: ``apt-get install -y wrk``) when it is on PATH,
else from a bounded Python generator (one process per connection, sequential
requests). Both servers are stopped when the script ends, also on error or Ctrl-C.
"""

from __future__ import annotations

import argparse
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
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def site_env(database: Path, *, panel: bool) -> dict[str, str]:
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


def get(port: int, path: str = "/") -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextmanager
def gunicorn(database: Path, *, panel: bool, log: Path) -> Iterator[int]:
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "bench.site_wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=site_env(database, panel=panel),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                with suppress(OSError):
                    if get(port, "/healthz") == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
            yield port
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def load_with_wrk(port: int, seconds: float, connections: int) -> float:
    result = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{int(seconds)}s",
            f"http://{HOST}:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    if "Non-2xx" in result.stdout:
        raise SystemExit(f"errors under load:\n{result.stdout}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if match is None:
        raise SystemExit(f"cannot read wrk's output:\n{result.stdout}")
    return float(match.group(1))


def _client(port: int, until: float, counter: multiprocessing.Value) -> None:  # type: ignore[valid-type]
    done = 0
    while time.time() < until:
        if get(port) != 200:
            raise SystemExit("error under load")
        done += 1
    with counter.get_lock():  # type: ignore[attr-defined]
        counter.value += done  # type: ignore[attr-defined]


def load_with_python(port: int, seconds: float, connections: int) -> float:
    counter = multiprocessing.Value("l", 0)
    start = time.time()
    until = start + seconds
    clients = [
        multiprocessing.Process(target=_client, args=(port, until, counter))
        for _ in range(connections)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=seconds + 30)
        if client.is_alive():
            client.kill()
    return counter.value / (time.time() - start)  # type: ignore[attr-defined, no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="rounds (default 8)")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per load (3)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strict", action="store_true", help="exit 1 when below 0.98")
    args = parser.parse_args()
    load = load_with_wrk if shutil.which("wrk") else load_with_python
    generator = "wrk" if load is load_with_wrk else "Python clients"
    rng = random.Random(args.seed)
    rates: dict[str, list[float]] = {"bare": [], "off": []}
    with tempfile.TemporaryDirectory(prefix="maintenance-load-") as workdir:
        database = Path(workdir) / "bench.sqlite3"
        migrate(database)
        for number in range(1, args.rounds + 1):
            # Fresh servers every round: a process's own luck (memory layout, hash seed,
            # which core it lands on) must not decide the comparison.
            panels = [False, True]
            rng.shuffle(panels)
            with ExitStack() as servers:
                ports = {
                    ("off" if panel else "bare"): servers.enter_context(
                        gunicorn(database, panel=panel, log=Path(workdir) / f"{panel}.log")
                    )
                    for panel in panels
                }
                for port in ports.values():  # warm up every worker
                    load(port, 1, args.connections)
                first, second = rng.sample(sorted(ports), 2)
                measured: dict[str, list[float]] = {"bare": [], "off": []}
                for name in (first, second, second, first):  # ABBA: drift cancels out
                    measured[name].append(load(ports[name], args.seconds, args.connections))
            for name, values in measured.items():
                rates[name].append(statistics.mean(values))
            print(
                f"round {number}: bare {rates['bare'][-1]:.0f} req/s, "
                f"off {rates['off'][-1]:.0f} req/s",
                flush=True,
            )
    ratio = statistics.median(o / b for o, b in zip(rates["off"], rates["bare"], strict=True))
    print(
        f"\ngunicorn, 2 sync workers, {generator}, {args.connections} connections, "
        f"{args.rounds} rounds, fresh servers each, 2 x {args.seconds}s of load per server"
    )
    print(f"bare Django        median {statistics.median(rates['bare']):8.0f} req/s")
    print(f"maintenance off    median {statistics.median(rates['off']):8.0f} req/s")
    print(
        f"ratio off / bare   {ratio:.3f}  (target >= 0.98: {'met' if ratio >= 0.98 else 'MISSED'})"
    )
    return 1 if args.strict and ratio < 0.98 else 0


if __name__ == "__main__":
    raise SystemExit(main())
