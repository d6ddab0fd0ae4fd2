"""What read-only maintenance and the scope cost per request, measured in-process.

Run from the repository root::

    .venv/bin/python bench/readonly.py [--number 20000] [--repeat 7]

One process, one Django, two SQLite databases (so the guard is installed on two
aliases). Each figure is the best of ``--repeat`` runs of ``--number`` calls in CPU time
of this thread, and the
figures compared with each other are measured side by side, round by round, in the same
run; the ratios are printed.

1. **The write guard** on a request that does not write: activating it and noting
   every database alias's transaction, and undoing both (what the middleware adds to a
   held-back GET during read-only maintenance; goal: under 5 µs); what the permanent
   execute wrapper adds to each query (one SELECT on SQLite without the wrapper, with
   it and no guard active, as on every query of every request, and with a guard
   active); and what classifying costs: Django's own ORM reads, and a read whose
   literal and comment need the full reading.
2. **Outside the scope**: the middleware (``process_view`` and ``__call__``) for a
   request outside the scope of active maintenance, against the same request while
   maintenance is off and against the off path plus one ``re.match`` of the scope
   pattern (goal: no more than off + one match).
3. **Whole requests** through WSGI (the demo's middleware stack, a small template
   page): maintenance off, a request outside the scope, and a read-only GET of an
   anonymous visitor without and with the guard.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.site import settings_for  # noqa: E402


def configure(workdir: Path) -> None:
    import django
    from django.conf import settings

    options = settings_for(str(workdir / "bench.sqlite3"), panel=True)
    options["DATABASES"]["other"] = {
        **options["DATABASES"]["default"],
        "NAME": str(workdir / "other.sqlite3"),
    }
    settings.configure(**options)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def best(function: Callable[[], Any], number: int, repeat: int) -> float:
    """CPU nanoseconds of this thread per call, best of ``repeat`` (CPU time: the
    machine may be shared, and other processes' load must not count)."""
    runs = timeit.repeat(function, number=number, repeat=repeat, timer=time.thread_time)
    return min(runs) / number * 1e9


def side_by_side(
    functions: dict[str, Callable[[], Any]], number: int, repeat: int
) -> dict[str, float]:
    """Best nanoseconds per call of each function, measured round by round in turn."""
    figures = dict.fromkeys(functions, float("inf"))
    for _ in range(repeat):
        for name, function in functions.items():
            figures[name] = min(figures[name], best(function, number, 1))
    return figures


def guard_figures(number: int, repeat: int) -> dict[str, float]:
    from django.db import connection, connections

    from maintenance_panel.guard import WriteGuard, refuse_writes

    for alias in connections:
        connections[alias].ensure_connection()

    def lifecycle() -> None:
        guard = WriteGuard()
        guard.activate()
        guard.attach()
        guard.detach()
        guard.deactivate()

    def nothing() -> None:
        return None

    cursor = connection.cursor()

    def select() -> None:
        cursor.execute("SELECT 1")

    figures = side_by_side({"empty": nothing, "lifecycle": lifecycle}, number, repeat)
    wrappers = connection.execute_wrappers
    assert refuse_writes in wrappers  # put there when the connection opened
    wrappers.remove(refuse_writes)
    bare = side_by_side({"select": select}, number, repeat)["select"]
    wrappers.insert(0, refuse_writes)
    plain = side_by_side({"select": select}, number, repeat)["select"]
    with WriteGuard():
        guarded = side_by_side({"select": select}, number, repeat)["select"]
    return {
        "aliases": len(list(connections)),
        "lifecycle": figures["lifecycle"] - figures["empty"],
        "select_bare": bare,
        "select": plain,
        "select_guarded": guarded,
    }


def classifier_figures(number: int, repeat: int) -> dict[str, float]:
    """Nanoseconds to classify statements: the ORM's own reads (the common case) and
    a read that needs the full reading (a string literal, a comment)."""
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session
    from django.db import connection

    from maintenance_panel.models import MaintenanceConfig
    from maintenance_panel.statements import dialect_of, is_write

    dialect = dialect_of(connection.vendor)
    querysets = [
        User.objects.filter(username="a", groups__name="b").order_by("-date_joined")[:10],
        MaintenanceConfig.objects.filter(pk=1),
        Session.objects.filter(session_key="k", expire_date__gt=datetime(2026, 1, 1, tzinfo=UTC)),
    ]
    orm = [queryset.query.sql_with_params()[0] for queryset in querysets]  # as sent
    full = '/* app:panel */ SELECT "name" FROM "t" WHERE "note" = \'DELETE; --\''
    assert not any(is_write(sql, dialect) for sql in [*orm, full])

    def orm_reads() -> None:
        for sql in orm:
            is_write(sql, dialect)

    def full_read() -> None:
        is_write(full, dialect)

    figures = side_by_side({"orm": orm_reads, "full": full_read}, number, repeat)
    return {"orm": figures["orm"] / len(orm), "full": figures["full"]}


def scope_figures(number: int, repeat: int) -> dict[str, float]:
    from django.test import override_settings

    from bench.site import page
    from bench.wsgi_stack import one_request
    from maintenance_panel import state
    from maintenance_panel.middleware import MaintenanceModeMiddleware

    middleware, request, one = one_request(MaintenanceModeMiddleware)
    scope = re.compile(r"^/checkout/")

    def one_plus_match() -> None:
        one()
        scope.match(request.path_info)

    off: list[float] = []
    off_match: list[float] = []
    out: list[float] = []
    for _ in range(repeat):
        # Off as a site runs it: the admin's switch is off (nothing forced by settings).
        state.get_snapshot()
        off.append(best(one, number, 1))
        off_match.append(best(one_plus_match, number, 1))
        with override_settings(MAINTENANCE_MODE=True, MAINTENANCE_MODE_SCOPE_URLS=[r"^/checkout/"]):
            state.get_snapshot()
            assert middleware.process_view(request, page, (), {}) is None  # out of scope
            out.append(best(one, number, 1))
    return {"off": min(off), "off_plus_match": min(off_match), "out_of_scope": min(out)}


def request_figures(rounds: int, batch: int) -> dict[str, float]:
    """CPU microseconds per request through the whole Django stack (WSGI), median over
    rounds in which every scenario serves ``batch`` requests in turn."""
    import statistics

    from django.test import override_settings

    from bench.site import PANEL_MIDDLEWARE
    from bench.wsgi_stack import Scenario, environ, make_handler
    from maintenance_panel import state

    handler = make_handler(PANEL_MIDDLEWARE)
    scenarios = {
        "off": {},
        "outside the scope": {
            "MAINTENANCE_MODE": True,
            "MAINTENANCE_MODE_SCOPE_URLS": [r"^/checkout/"],
        },
        "read-only, guard off": {
            "MAINTENANCE_MODE": True,
            "MAINTENANCE_MODE_READ_ONLY": True,
            "MAINTENANCE_MODE_READ_ONLY_BLOCK_WRITES": False,
        },
        "read-only, guarded": {"MAINTENANCE_MODE": True, "MAINTENANCE_MODE_READ_ONLY": True},
    }
    times: dict[str, list[float]] = {name: [] for name in scenarios}
    for _ in range(rounds):
        for name, overrides in scenarios.items():
            with override_settings(**overrides):
                state.get_snapshot()
                scenario = Scenario(name, handler, environ(), "200 OK", maintenance=False)
                assert scenario.request() == "200 OK", name
                start = time.thread_time()
                for _ in range(batch):
                    scenario.request()
                times[name].append((time.thread_time() - start) / batch * 1e6)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=30, help="rounds of whole requests")
    parser.add_argument("--batch", type=int, default=50, help="requests per round")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        configure(Path(workdir))
        guard = guard_figures(options.number, options.repeat)
        classifier = classifier_figures(options.number, options.repeat)
        scope = scope_figures(options.number, options.repeat)
        whole = request_figures(options.rounds, options.batch)

    print(f"Write guard ({guard['aliases']} database aliases), request that does not write:")
    print(
        f"  install + remove per request: {guard['lifecycle'] / 1000:.2f} µs "
        f"(goal < 5 µs): {'met' if guard['lifecycle'] < 5000 else 'NOT met'}"
    )
    bare = guard["select_bare"]
    for name, key in (("wrapper, no guard", "select"), ("guarded", "select_guarded")):
        print(
            f"  per query, {name}: SELECT 1 {guard[key] / 1000:.2f} µs against "
            f"{bare / 1000:.2f} µs without the wrapper (+{(guard[key] - bare) / 1000:.2f} µs, "
            f"{guard[key] / bare:.3f}x)"
        )
    print(
        f"  classifying: an ORM read {classifier['orm']:.0f} ns, "
        f"a read with a literal and a comment {classifier['full']:.0f} ns"
    )
    print("Outside the scope (middleware alone, process_view + __call__):")
    print(f"  maintenance off:              {scope['off']:7.0f} ns (1.000x)")
    print(
        f"  off + one scope match:        {scope['off_plus_match']:7.0f} ns "
        f"({scope['off_plus_match'] / scope['off']:.3f}x)"
    )
    print(
        f"  on, request outside scope:    {scope['out_of_scope']:7.0f} ns "
        f"({scope['out_of_scope'] / scope['off']:.3f}x off, "
        f"{scope['out_of_scope'] / scope['off_plus_match']:.3f}x off + one match)"
    )

    print("Whole requests (WSGI, the demo's middleware stack, a small template page):")
    for name, micros in whole.items():
        print(f"  {name + ':':24} {micros:6.1f} µs ({micros / whole['off']:.3f}x off)")
    extra = whole["read-only, guarded"] - whole["read-only, guard off"]
    print(f"  the guard and the exemption checks on a read: +{extra:.1f} µs")


if __name__ == "__main__":
    main()
