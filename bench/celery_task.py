"""What ``MaintenanceAwareTask`` adds to a Celery task's start, measured in-process.

Run from the repository root::

    .venv/bin/python bench/celery_task.py [--number 100000] [--repeat 7]

One process, one Django (SQLite, LocMem), one Celery app with an in-memory broker. A
task whose body does nothing is started as a worker starts it, in a worker's request
(not called directly): for a plain ``celery.Task`` the worker calls the task's ``run``
(Celery skips ``Task.__call__`` for a task class without a ``__call__`` of its own); for
a ``MaintenanceAwareTask`` it calls the task, whose ``__call__`` decides, then calls
``run``. Each figure is the best of ``--repeat`` runs of ``--number`` calls in CPU time
of this thread, measured side by side, round by round. Goal: under 5 µs added per task
start, from the snapshot, no query (the queries made during the timed calls are
printed). For reference, the plain task's ``Task.__call__`` (what calling it directly
costs) is printed too.

Cases where the task runs: maintenance off; full maintenance, the name exempt; read-only
maintenance (the body runs under the write guard). Held, the body does not run and a
copy of the message is sent (here to the in-memory broker): that figure is the cost of
holding, not of the check, and is printed apart.
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


def tasks() -> tuple[Any, Any]:
    """The same do-nothing task, as a plain ``celery.Task`` and a MaintenanceAwareTask."""
    from celery import Celery

    from maintenance_panel.contrib.celery import MaintenanceAwareTask

    plain = Celery("bench_plain", broker="memory://", set_as_current=False)
    aware = Celery(
        "bench_aware", broker="memory://", task_cls=MaintenanceAwareTask, set_as_current=False
    )

    def nothing() -> None:
        return None

    made = plain.task(name="bench.nothing")(nothing), aware.task(name="bench.nothing")(nothing)
    for task in made:  # a worker's request: the task is not called directly
        task.push_request(id="bench", called_directly=False, delivery_info={"routing_key": "bench"})
    return made


def measure(plain: Any, aware: Any, number: int, repeat: int) -> tuple[float, float, float, int]:
    """(plain ``Task.__call__``, plain ``run``, aware ``__call__``) in ns per call, and the
    queries made."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    aware()  # the first call reads the state; the timed ones use the snapshot
    figures = [float("inf")] * 3
    with CaptureQueriesContext(connection) as queries:
        for _ in range(repeat):
            for index, call in enumerate((plain, plain.run, aware)):
                figures[index] = min(figures[index], best(call, number, 1))
    return figures[0], figures[1], figures[2], len(queries)


def holding(aware: Any, number: int) -> float:
    """CPU ns per held start: the decision, the copy sent, the reason, the count."""
    from celery.exceptions import Retry

    held: list[Retry] = []

    def start() -> None:
        try:
            aware()
        except Retry as retry:
            held.append(retry)

    figure = best(start, number, 1)
    assert len(held) == number, "the task was not held"
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        configure(Path(workdir))  # MAINTENANCE_MODE_IGNORE_TASKS: ^clearsessions$
        from maintenance_panel.core import set_maintenance_mode

        plain, aware = tasks()
        cases: list[tuple[str, dict[str, Any] | None, str]] = [
            ("maintenance off", None, "bench.nothing"),
            ("full, name exempt", {}, "clearsessions"),
            ("read-only (guarded)", {"read_only": True}, "bench.nothing"),
        ]
        print(f"task start, CPU ns per call, best of {options.repeat} x {options.number}")
        print(f"  {'case':<22} {'run':>7} {'aware':>7} {'added':>7} {'Task.__call__':>14} queries")
        worst = 0.0
        for label, switch, name in cases:
            if switch is None:
                set_maintenance_mode(False)
            else:
                set_maintenance_mode(True, read_only=switch.get("read_only", False))
            plain.name = aware.name = name
            call, run, figure, queries = measure(plain, aware, options.number, options.repeat)
            worst = max(worst, figure - run)
            print(
                f"  {label:<22} {run:7.0f} {figure:7.0f} {figure - run:7.0f} {call:14.0f} {queries}"
            )
        print(f"worst added: {worst / 1000:.2f} µs per task start (goal: under 5 µs)")
        set_maintenance_mode(True, read_only=False)
        aware.name = "bench.nothing"
        figure = holding(aware, max(options.number // 50, 100))
        print(f"held (copy sent to the in-memory broker): {figure / 1000:.1f} µs per start")


if __name__ == "__main__":
    main()
