"""What ``maintenance_panel.tasks.held_during_maintenance`` adds to a task start, measured
in-process.

Run from the repository root::

    .venv/bin/python bench/tasks.py [--number 100000] [--repeat 7]

One process, one Django, SQLite and LocMem. A worker starts a task with ``Task.call``;
each figure is the best of ``--repeat`` runs of ``--number`` calls in CPU time of this
thread, of a held task's ``call`` above the same task's plain ``call``, measured side by
side, round by round; the task's function does nothing. Goal: under 5 µs per start, no
query (the queries made during the timed calls are counted and printed: 0 expected).

Cases where the task runs: maintenance off; full maintenance with the task's name exempt
by the setting; read-only maintenance (the task runs under the write guard, which is
installed and removed around it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.work import best, configure  # noqa: E402

NAME = "bench.tasks.nothing"


def nothing() -> None:
    """The task's function."""


def measure(plain: Any, held: Any, number: int, repeat: int) -> tuple[float, float, int]:
    """(ns per plain start, ns the held task adds to it, queries made)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    held.call()  # the first call reads the state; the timed ones use the snapshot
    bare = wrapped = float("inf")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(repeat):
            bare = min(bare, best(plain.call, number, 1))
            wrapped = min(wrapped, best(held.call, number, 1))
    return bare, wrapped - bare, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        configure(Path(workdir), ignore_tasks=r"^bench\.tasks\.")
        from maintenance_panel.core import set_maintenance_mode
        from maintenance_panel.tasks import FRAMEWORK, Task, held_during_maintenance

        # This file runs as __main__: the task's function must be this module's own.
        nothing.__module__ = "bench.tasks"
        plain = Task(func=nothing)
        held = held_during_maintenance(plain)
        cases: list[tuple[str, dict[str, Any] | None]] = [
            ("maintenance off", None),
            ("full, exempt by setting", {}),
            ("read-only (guarded)", {"read_only": True}),
        ]
        print(
            f"{FRAMEWORK}: Task.call, CPU ns per start, best of {options.repeat} x {options.number}"
        )
        worst = 0.0
        for label, switch in cases:
            if switch is None:
                set_maintenance_mode(False)
            else:
                set_maintenance_mode(True, read_only=switch.get("read_only", False))
            bare, added, queries = measure(plain, held, options.number, options.repeat)
            worst = max(worst, added)
            print(
                f"  {label:<24} plain {bare:7.0f} ns  held adds {added:7.0f} ns "
                f"(x{(bare + added) / bare:.1f})  queries={queries}"
            )
        print(f"worst case: {worst / 1000:.2f} µs added per start (goal: under 5 µs)")


if __name__ == "__main__":
    main()
