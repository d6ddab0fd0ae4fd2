"""What a repeated window costs per request, measured in-process.

Run from the repository root::

    .venv/bin/python bench/recurrence.py [--number 20000] [--repeat 7]

One process, one Django. Each figure is the middleware alone (``process_view`` and
``__call__``, a view that answers at once, the snapshot trusted), the best of
``--repeat`` runs of ``--number`` requests, in CPU time of this thread; the states are
measured side by side, round by round, and their ratios printed:

- ``off``: maintenance switched off (a rule stored or not: the same test);
- ``scheduled one-off``: switched on, a one-off window that opens tomorrow;
- ``rule, none open``: switched on, a weekly rule whose next window opens tomorrow
  (the request looks the time up among the starts the snapshot keeps: no expansion);
- ``one-off open`` and ``occurrence open``: inside the window: the 503 response.

Then the cost of what a process does once per change (building the schedule and its
first lookup) and once per horizon (computing the next starts again).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import timeit
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.site import settings_for  # noqa: E402
from bench.wsgi_stack import one_request  # noqa: E402

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def configure(workdir: Path) -> None:
    import django
    from django.conf import settings

    settings.configure(**settings_for(str(workdir / "bench.sqlite3"), panel=True))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, run_syncdb=True)


def states() -> dict[str, dict[str, Any]]:
    """Each state's stored fields; the rules open today's window around now, or
    tomorrow's at this hour."""
    from django.utils import timezone

    now = timezone.localtime()
    tomorrow = WEEKDAYS[(now.weekday() + 1) % 7]
    today = WEEKDAYS[now.weekday()]
    hour = timedelta(hours=1)
    none = {"starts_at": None, "ends_at": None, "recurrence": "", "recurrence_duration": None}
    return {
        "off": {**none, "enabled": False},
        "scheduled one-off": {**none, "enabled": True, "starts_at": now + timedelta(days=1)},
        "rule, none open": {
            **none,
            "enabled": True,
            "recurrence": f"FREQ=WEEKLY;BYDAY={tomorrow};BYHOUR={now.hour}",
            "recurrence_duration": hour,
        },
        "one-off open": {**none, "enabled": True, "ends_at": now + hour},
        "occurrence open": {
            **none,
            "enabled": True,
            "recurrence": f"FREQ=WEEKLY;BYDAY={today};BYHOUR={now.hour}",
            "recurrence_duration": hour,
        },
    }


def store(fields: dict[str, Any]) -> None:
    from maintenance_panel import state
    from maintenance_panel.models import MaintenanceConfig

    config = MaintenanceConfig.get_solo()
    for name, value in fields.items():
        setattr(config, name, value)
    config.save()
    state.reset()
    state.get_snapshot()


def per_request(number: int, repeat: int) -> dict[str, float]:
    """Nanoseconds per request of the middleware alone, per state (best of ``repeat``
    rounds; the states interleaved round by round)."""
    from maintenance_panel.middleware import MaintenanceModeMiddleware

    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, fields in states().items():
            store(fields)
            _, _, one = one_request(MaintenanceModeMiddleware)
            one()  # the body of a 503 is cached per snapshot: built once
            seconds = min(timeit.repeat(one, number=number, repeat=1, timer=time.thread_time))
            best[name] = min(best.get(name, float("inf")), seconds / number * 1e9)
    return best


def once_per_change() -> tuple[float, float]:
    """Microseconds to build a weekly rule's schedule and answer its first lookup (once
    per change), and to compute the next starts again (once per horizon)."""
    from django.utils import timezone

    from maintenance_panel import recurrence

    now = timezone.now()
    rule = recurrence.parse("FREQ=WEEKLY;BYDAY=SU;BYHOUR=2")

    def build() -> None:
        recurrence.Schedule(rule, timedelta(hours=1), timezone.get_current_timezone()).window_at(
            now
        )

    schedule = recurrence.Schedule(rule, timedelta(hours=1), timezone.get_current_timezone())
    far = [now + timedelta(weeks=8 * step) for step in range(200)]

    def again() -> None:
        for moment in far:
            schedule.window_at(moment)

    built = min(timeit.repeat(build, number=200, repeat=5, timer=time.thread_time)) / 200
    recomputed = min(timeit.repeat(again, number=1, repeat=5, timer=time.thread_time)) / 200
    return built * 1e6, recomputed * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        configure(Path(workdir))
        figures = per_request(options.number, options.repeat)
        built, recomputed = once_per_change()
    print(f"Python {sys.version.split()[0]}, the middleware alone, CPU time per request")
    print(f"{'state':<20}{'ns':>10}{'vs off':>10}")
    for name, value in figures.items():
        print(f"{name:<20}{value:>10.0f}{value / figures['off']:>10.2f}")
    ratio = figures["rule, none open"] / figures["scheduled one-off"]
    print(f"rule with none open / scheduled one-off: {ratio:.2f}")
    ratio = figures["occurrence open"] / figures["one-off open"]
    print(f"occurrence open / one-off open: {ratio:.2f}")
    print(f"building a weekly rule's schedule and its first lookup: {built:.0f} us (per change)")
    print(f"computing its next starts again: {recomputed:.0f} us (once per horizon)")


if __name__ == "__main__":
    main()
