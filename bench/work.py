"""What ``core.is_work_held(name)`` costs a task or command start, measured in-process.

Run from the repository root::

    .venv/bin/python bench/work.py [--number 200000] [--repeat 7]

One process, one Django, SQLite and LocMem. Each figure is the best of ``--repeat``
runs of ``--number`` calls in CPU time of this thread, measured side by side, round by
round, against an empty call. Goal: under 5 µs per call, from the snapshot, no query
(the queries made during the timed calls are counted and printed: 0 expected).

Cases: maintenance off; full maintenance of the whole site with a name that is held;
the same with an exempt name (one pattern from the settings, one from the admin); and
read-only maintenance (the work runs: the level decides before the name is matched).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.site import settings_for  # noqa: E402


def configure(workdir: Path, ignore_tasks: str = r"^clearsessions$") -> None:
    """Django set up on a new SQLite database in ``workdir``, with the app, and work whose
    name matches ``ignore_tasks`` exempt."""
    import django
    from django.conf import settings

    options = settings_for(str(workdir / "bench.sqlite3"), panel=True)
    options["MAINTENANCE_MODE_IGNORE_TASKS"] = [ignore_tasks]
    # Trusted for the whole run: the figure is the snapshot's, not a re-validation's.
    options["MAINTENANCE_MODE_STATE_TTL"] = 3600
    settings.configure(**options)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def best(function: Callable[[], Any], number: int, repeat: int) -> float:
    """CPU nanoseconds of this thread per call, best of ``repeat``."""
    runs = timeit.repeat(function, number=number, repeat=repeat, timer=time.thread_time)
    return min(runs) / number * 1e9


def measure(name: str, number: int, repeat: int) -> tuple[float, int]:
    """(nanoseconds per ``is_work_held(name)`` above an empty call, queries made)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maintenance_panel.core import is_work_held

    def nothing() -> None:
        return None

    def ask() -> None:
        is_work_held(name)

    ask()  # the first call reads the state; the timed ones use the snapshot
    empty = held = float("inf")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(repeat):
            empty = min(empty, best(nothing, number, 1))
            held = min(held, best(ask, number, 1))
    return held - empty, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        configure(Path(workdir))
        from maintenance_panel.core import is_work_held, set_maintenance_mode
        from maintenance_panel.models import MaintenanceConfig

        config = MaintenanceConfig.get_solo()
        config.ignore_tasks = "^reports\\."
        config.save()
        cases: list[tuple[str, str, dict[str, Any] | None]] = [
            ("maintenance off", "export", None),
            ("full, held name", "export", {}),
            ("full, exempt by setting", "clearsessions", {}),
            ("full, exempt by field", "reports.nightly", {}),
            ("read-only (runs)", "export", {"read_only": True}),
        ]
        print(f"is_work_held(name): CPU ns per call, best of {options.repeat} x {options.number}")
        worst = 0.0
        for label, name, switch in cases:
            if switch is None:
                set_maintenance_mode(False)
            else:
                set_maintenance_mode(True, read_only=switch.get("read_only", False))
            figure, queries = measure(name, options.number, options.repeat)
            worst = max(worst, figure)
            print(
                f"  {label:<26} {figure:8.0f} ns  held={is_work_held(name)!s:<5}  queries={queries}"
            )
        print(f"worst case: {worst / 1000:.2f} µs per call (goal: under 5 µs)")


if __name__ == "__main__":
    main()
