"""Throughput under gunicorn: bare Django against the app installed, maintenance off.

Run from the repository root::

    .venv/bin/python bench/load.py [--rounds 8] [--seconds 3] [--connections 4]

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
import random
import statistics
import sys
import tempfile
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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
from bench.report import Comparison, verdict  # noqa: E402

#: name -> this app's middleware installed
SCENARIOS = {"bare": False, "off": True}


def gunicorn(workdir: Path, name: str) -> AbstractContextManager[Server]:
    """A gunicorn server of scenario ``name``, 2 sync workers."""
    port = free_port()
    return serving(
        "gunicorn",
        [
            str(Path(PYTHON).parent / "gunicorn"),
            *("bench.site_wsgi:application", "--bind", f"{HOST}:{port}"),
            *("--workers", "2", "--worker-class", "sync", "--log-level", "warning"),
        ],
        port=port,
        env=site_env(workdir / "bench.sqlite3", panel=SCENARIOS[name]),
        log=workdir / f"{name}.log",
    )


def report(rates: dict[str, list[float]], args: argparse.Namespace, load: Load) -> int:
    ratio = Comparison(rates["off"], rates["bare"]).ratio
    print(
        f"\ngunicorn, 2 sync workers, {load.generator}, {args.connections} connections, "
        f"{args.rounds} rounds, fresh servers each, 2 x {args.seconds}s of load per server"
    )
    print(f"bare Django        median {statistics.median(rates['bare']):8.0f} req/s")
    print(f"maintenance off    median {statistics.median(rates['off']):8.0f} req/s")
    print(f"ratio off / bare   {ratio:.3f}  (target >= 0.98: {verdict(ratio >= 0.98)})")
    return 1 if args.strict and ratio < 0.98 else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="rounds (default 8)")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per load (3)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strict", action="store_true", help="exit 1 when below 0.98")
    args = parser.parse_args()
    load = Load(args.seconds, args.connections)
    rng = random.Random(args.seed)
    rates: dict[str, list[float]] = {name: [] for name in SCENARIOS}
    with tempfile.TemporaryDirectory(prefix="maintenance-load-") as name:
        workdir = Path(name)
        migrate(workdir / "bench.sqlite3")
        starts = {scenario: partial(gunicorn, workdir, scenario) for scenario in SCENARIOS}
        for number in range(1, args.rounds + 1):
            # Fresh servers every round, loaded A B B A (bench/http_load.py).
            loaded = load_round(starts, dict.fromkeys(SCENARIOS, 200), load, rng)
            for scenario in SCENARIOS:
                rates[scenario].append(loaded[scenario].rate)
            print(
                f"round {number}: bare {rates['bare'][-1]:.0f} req/s, "
                f"off {rates['off'][-1]:.0f} req/s",
                flush=True,
            )
    return report(rates, args, load)


if __name__ == "__main__":
    raise SystemExit(main())
