"""Throughput under uvicorn: bare Django, this app's middleware and django-maintenance-mode's.

Run from the repository root (django-maintenance-mode comes with the ``bench`` extra:
``.venv/bin/pip install -e '.[dev,bench]'``)::

    .venv/bin/python bench/load_asgi.py [--rounds 4] [--seconds 2] [--connections 4]
        [--workers 2] [--max-seconds 100]

The ASGI twin of ``bench/load.py``. Every round starts four uvicorn servers afresh
(``--workers`` processes each, ``bench/site_asgi.py``, on free ports of 127.0.0.1),
serving ``bench/site.py``'s page to an anonymous visitor:

- ``bare``: no maintenance middleware;
- ``off``: ``maintenance_panel.middleware.MaintenanceModeMiddleware``, maintenance off;
- ``dmm-off``: django-maintenance-mode's middleware instead, its state file saying off;
- ``on-anonymous``: this app's middleware, maintenance on (its own SQLite file, switched
  on with ``maintenance_panel.core.set_maintenance_mode``): every answer a 503.

The servers are loaded one at a time, ``--seconds`` each, in a random order and then in
the reverse order (A B C D D C B A: drift cancels out). Two figures per server and
round: its requests per second (the mean of its two loads), and the CPU time its
processes used per request answered (user + system, all threads, from ``/proc``), which
other work on the machine disturbs much less than the rate. Each comparison is the
median over the rounds of the per-round ratio to bare Django, with the lowest and
highest round. Every server process prints the middleware chain Django built for it
(``BENCH_DESCRIBE_STACK``): those of the last round are shown.

The load comes from ``wrk`` (Debian: ``apt-get install -y wrk``) when it is on PATH,
else from a bounded Python generator. Every answer must have the scenario's status.
No round starts after ``--max-seconds``; the servers are stopped when the script ends,
also on error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.asgi_stack import DMM_MIDDLEWARE  # noqa: E402
from bench.load import HOST, PYTHON, free_port, migrate, site_env  # noqa: E402

#: name -> (this app's middleware installed, database, last middleware, status)
SCENARIOS: dict[str, tuple[bool, str, str, int]] = {
    "bare": (False, "off.sqlite3", "", 200),
    "off": (True, "off.sqlite3", "", 200),
    "dmm-off": (False, "off.sqlite3", DMM_MIDDLEWARE, 200),
    "on-anonymous": (True, "on.sqlite3", "", 503),
}
REFERENCE = {"off": "bare", "dmm-off": "bare", "on-anonymous": "bare"}


def status_of(port: int, path: str = "/") -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def prepare(workdir: Path) -> None:
    """One migrated SQLite file with maintenance off, a copy switched on, and
    django-maintenance-mode's state file saying off (as its command leaves it)."""
    migrate(workdir / "off.sqlite3")
    shutil.copy(workdir / "off.sqlite3", workdir / "on.sqlite3")
    subprocess.run(
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from maintenance_panel.core import "
            "set_maintenance_mode; set_maintenance_mode(True, label='benchmark')",
        ],
        cwd=ROOT,
        env=site_env(workdir / "on.sqlite3", panel=True),
        check=True,
        timeout=300,
    )
    (workdir / "maintenance_mode_state.txt").write_text("0")


def server_env(workdir: Path, name: str) -> dict[str, str]:
    panel, database, middleware, _ = SCENARIOS[name]
    env = site_env(workdir / database, panel=panel)
    env.update(BENCH_DESCRIBE_STACK="1", BENCH_MIDDLEWARE=middleware)
    if middleware == DMM_MIDDLEWARE:
        env["BENCH_STATE_FILE"] = str(workdir / "maintenance_mode_state.txt")
    return env


@contextmanager
def uvicorn(workdir: Path, name: str, workers: int) -> Iterator[tuple[int, int]]:
    """A uvicorn server of scenario ``name``, once it answers: its port, and its process
    group (the supervisor's pid)."""
    port, log = free_port(), workdir / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                *(PYTHON, "-m", "uvicorn", "bench.site_asgi:application", "--host", HOST),
                *("--port", str(port), "--workers", str(workers), "--lifespan", "off"),
                *("--no-access-log", "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=server_env(workdir, name),
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
                    raise SystemExit(f"uvicorn did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.1)
            yield port, process.pid
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
    """(requests answered, requests per second)."""
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


def one_round(
    workdir: Path, args: argparse.Namespace, rng: random.Random
) -> dict[str, tuple[float, float]]:
    """Fresh servers, warmed up, each loaded twice (A B C D D C B A): by name, req/s
    and the servers' CPU milliseconds per request."""
    load = load_with_wrk if shutil.which("wrk") else load_with_python
    names = list(SCENARIOS)
    rng.shuffle(names)
    rates: dict[str, list[float]] = {name: [] for name in names}
    cpu = dict.fromkeys(names, 0.0)
    requests = dict.fromkeys(names, 0)
    with ExitStack() as servers:
        started = {
            name: servers.enter_context(uvicorn(workdir, name, args.workers)) for name in names
        }
        for name, (port, _) in started.items():
            status = SCENARIOS[name][3]
            if status_of(port) != status:
                raise SystemExit(f"{name}: / did not answer {status}")
            load(port, 1, args.connections, status)  # warm up every worker
        rng.shuffle(names)
        for name in [*names, *reversed(names)]:
            port, group = started[name]
            before = group_cpu(group)
            done, rate = load(port, args.seconds, args.connections, SCENARIOS[name][3])
            cpu[name] += group_cpu(group) - before
            requests[name] += done
            rates[name].append(rate)
    return {
        name: (statistics.mean(rates[name]), cpu[name] / requests[name] * 1000) for name in names
    }


def print_table(
    title: str, figures: dict[str, list[float]], digits: int
) -> dict[str, tuple[float, float]]:
    """Medians and per-round ratios to bare Django (median, lowest..highest round);
    by name, the median ratio and the upper quartile of the ratios."""
    print(f"\n{title:<14}{'median':>10}{'vs':>6}{'ratio':>8}{'min..max':>14}")
    ratios = {}
    for name in SCENARIOS:
        median = statistics.median(figures[name])
        base = REFERENCE.get(name)
        if base is None:
            print(f"{name:<14}{median:>10.{digits}f}")
            continue
        per_round = [a / b for a, b in zip(figures[name], figures[base], strict=True)]
        ratio = statistics.median(per_round)
        ratios[name] = (ratio, statistics.quantiles(per_round, n=4)[-1])
        spread = f"{min(per_round):.3f}..{max(per_round):.3f}"
        print(f"{name:<14}{median:>10.{digits}f}{base:>6}{ratio:>8.3f}{spread:>14}")
    return ratios


def report(figures: dict[str, list[tuple[float, float]]], args: argparse.Namespace) -> int:
    generator = "wrk" if shutil.which("wrk") else "Python clients"
    fast = [m for m in ("uvloop", "httptools") if importlib.util.find_spec(m)]
    print(
        f"\nuvicorn, {args.workers} workers each ({'+'.join(fast) or 'asyncio + h11'}), "
        f"{generator}, {args.connections} connections, {len(figures['bare'])} rounds, "
        f"fresh servers each, 2 x {args.seconds}s of load per server"
    )
    rates = print_table("req/s", {k: [rate for rate, _ in v] for k, v in figures.items()}, 0)
    cpu = print_table("server CPU ms", {k: [ms for _, ms in v] for k, v in figures.items()}, 2)
    targets = [
        ("off: req/s >= 0.98x bare (median)", rates["off"][0] >= 1 / 1.02),
        ("off: server CPU per request <= 1.02x bare (median)", cpu["off"][0] <= 1.02),
        # Cheaper in three rounds of four at least, not just a median below 1 by chance.
        (
            "on-anonymous: less server CPU per request than the bare page "
            "(upper quartile of the ratios < 1)",
            cpu["on-anonymous"][1] < 1,
        ),
    ]
    print()
    for label, met in targets:
        print(f"{'met ' if met else 'MISSED'}  {label}")
    return 1 if args.strict and not all(met for _, met in targets) else 0


def print_chains(workdir: Path) -> bool:
    """What each server's processes printed about their middleware chain; whether the
    servers with this app's middleware run it natively async."""
    print("middleware chains the servers' processes built (outermost first):")
    native = True
    for name in SCENARIOS:
        text = (workdir / f"{name}.log").read_text()
        for line in sorted(set(re.findall(r"^bench-stack (.*)$", text, re.MULTILINE))):
            print(f"  {name:<13} {line}")
            if SCENARIOS[name][0]:
                native = native and line.startswith("native=True")
    print(f"{'met ' if native else 'MISSED'}  this app's middleware runs natively async")
    return native


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="rounds (default 4)")
    parser.add_argument("--seconds", type=int, default=2, help="seconds per load (2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers per server (2)")
    parser.add_argument("--max-seconds", type=float, default=100, help="no round after (100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in SCENARIOS}
    deadline = time.monotonic() + args.max_seconds
    with tempfile.TemporaryDirectory(prefix="maintenance-load-asgi-") as name:
        workdir = Path(name)
        prepare(workdir)
        for number in range(1, args.rounds + 1):
            if time.monotonic() > deadline:
                print(f"--max-seconds reached: {number - 1} rounds")
                break
            for scenario, measured in one_round(workdir, args, rng).items():
                figures[scenario].append(measured)
            line = ", ".join(f"{k} {v[-1][0]:.0f} ({v[-1][1]:.2f})" for k, v in figures.items())
            print(f"round {number}: req/s (server CPU ms per request): {line}", flush=True)
        native = print_chains(workdir)
    status = report(figures, args)
    return 1 if args.strict and not native else status


if __name__ == "__main__":
    raise SystemExit(main())
