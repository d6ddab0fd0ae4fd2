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
import importlib.util
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.asgi_stack import DMM_MIDDLEWARE  # noqa: E402
from bench.http_load import (  # noqa: E402
    HOST,
    PYTHON,
    Load,
    Server,
    free_port,
    load_round,
    migrate,
    serving,
    site_env,
)
from bench.report import Comparison, print_target, print_targets  # noqa: E402

#: name -> (this app's middleware installed, database, last middleware, status)
SCENARIOS: dict[str, tuple[bool, str, str, int]] = {
    "bare": (False, "off.sqlite3", "", 200),
    "off": (True, "off.sqlite3", "", 200),
    "dmm-off": (False, "off.sqlite3", DMM_MIDDLEWARE, 200),
    "on-anonymous": (True, "on.sqlite3", "", 503),
}
REFERENCE = {"off": "bare", "dmm-off": "bare", "on-anonymous": "bare"}


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


def uvicorn(workdir: Path, name: str, workers: int) -> AbstractContextManager[Server]:
    """A uvicorn server of scenario ``name``, ``workers`` processes."""
    port = free_port()
    return serving(
        "uvicorn",
        [
            *(PYTHON, "-m", "uvicorn", "bench.site_asgi:application", "--host", HOST),
            *("--port", str(port), "--workers", str(workers), "--lifespan", "off"),
            *("--no-access-log", "--log-level", "warning"),
        ],
        port=port,
        env=server_env(workdir, name),
        log=workdir / f"{name}.log",
    )


def print_table(title: str, figures: dict[str, list[float]], digits: int) -> dict[str, Comparison]:
    """Medians and per-round ratios to bare Django (median, lowest..highest round);
    by name, the comparison."""
    print(f"\n{title:<14}{'median':>10}{'vs':>6}{'ratio':>8}{'min..max':>14}")
    compared = {}
    for name in SCENARIOS:
        base = REFERENCE.get(name)
        if base is None:
            print(f"{name:<14}{statistics.median(figures[name]):>10.{digits}f}")
            continue
        one = compared[name] = Comparison(figures[name], figures[base])
        spread = f"{min(one.ratios):.3f}..{max(one.ratios):.3f}"
        print(f"{name:<14}{one.median:>10.{digits}f}{base:>6}{one.ratio:>8.3f}{spread:>14}")
    return compared


def report(
    figures: dict[str, list[tuple[float, float]]], args: argparse.Namespace, load: Load
) -> int:
    fast = [m for m in ("uvloop", "httptools") if importlib.util.find_spec(m)]
    print(
        f"\nuvicorn, {args.workers} workers each ({'+'.join(fast) or 'asyncio + h11'}), "
        f"{load.generator}, {args.connections} connections, {len(figures['bare'])} rounds, "
        f"fresh servers each, 2 x {args.seconds}s of load per server"
    )
    rates = print_table("req/s", {k: [rate for rate, _ in v] for k, v in figures.items()}, 0)
    cpu = print_table("server CPU ms", {k: [ms for _, ms in v] for k, v in figures.items()}, 2)
    met = print_targets(
        [
            ("off: req/s >= 0.98x bare (median)", rates["off"].ratio >= 1 / 1.02),
            ("off: server CPU per request <= 1.02x bare (median)", cpu["off"].ratio <= 1.02),
            # Cheaper in three rounds of four at least, not just a median below 1 by chance.
            (
                "on-anonymous: less server CPU per request than the bare page "
                "(upper quartile of the ratios < 1)",
                cpu["on-anonymous"].ratio_quartiles[1] < 1,
            ),
        ]
    )
    return 1 if args.strict and not met else 0


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
    print_target("this app's middleware runs natively async", native)
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
    load = Load(args.seconds, args.connections)
    rng = random.Random(args.seed)
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in SCENARIOS}
    deadline = time.monotonic() + args.max_seconds
    with tempfile.TemporaryDirectory(prefix="maintenance-load-asgi-") as name:
        workdir = Path(name)
        prepare(workdir)
        starts = {
            scenario: partial(uvicorn, workdir, scenario, args.workers) for scenario in SCENARIOS
        }
        statuses = {scenario: status for scenario, (*_, status) in SCENARIOS.items()}
        for number in range(1, args.rounds + 1):
            if time.monotonic() > deadline:
                print(f"--max-seconds reached: {number - 1} rounds")
                break
            loaded = load_round(starts, statuses, load, rng)
            for scenario in SCENARIOS:
                figures[scenario].append((loaded[scenario].rate, loaded[scenario].cpu_ms))
            line = ", ".join(f"{k} {v[-1][0]:.0f} ({v[-1][1]:.2f})" for k, v in figures.items())
            print(f"round {number}: req/s (server CPU ms per request): {line}", flush=True)
        native = print_chains(workdir)
    status = report(figures, args, load)
    return 1 if args.strict and not native else status


if __name__ == "__main__":
    raise SystemExit(main())
