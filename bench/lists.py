"""How the cost of a request grows with the exemption lists, and what a snapshot costs.

Run from the repository root::

    .venv/bin/python bench/lists.py [--rounds 30] [--batch 10] [--no-hostile]

One process, one Django, SQLite and the LocMem cache, as in ``bench/overhead.py``.
Maintenance is on and the visitor matches no entry, so every entry is considered:

- IP networks, URL patterns, bypass links: an anonymous visitor from 127.0.0.1 asks
  for ``/``; 10, 1,000 and 10,000 entries in that one list (the others empty). The
  bypass visitor carries a correctly signed cookie of a link that is not usable.
- Listed groups: a logged-in user who belongs to one group that is not listed; 1, 100
  and 1,000 listed groups. Queries are counted per request (Django's session and user
  queries are two of them).

The snapshot of each configuration is read from the database once, then every round
installs each in turn (in random order) and times a batch of requests: CPU time of
this thread, median over the rounds. Growth is the 10,000 (groups: 1,000) figure over
the 10 (groups: 1) figure. Then the snapshot of a state with 10,000 entries in every
list is built from the data the shared cache carries: time (cold, and again with the
same lists) and memory (tracemalloc for Python's objects, plus what C's malloc handed
out meanwhile, where the pattern engine's own memory comes from). Last, the hostile
patterns of issue 9, each alone in the list, against a 50-character path
(``--no-hostile`` skips them, for code that matches with a backtracking engine: there
they never finish).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import math
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lists_data import GROUP_SIZES, SIZES, fill_every_list, prepare  # noqa: E402
from bench.report import PYTHON_VERSION, verdict  # noqa: E402
from bench.site import PANEL_MIDDLEWARE, settings_for  # noqa: E402
from bench.wsgi_stack import Scenario, environ, make_handler  # noqa: E402

HOSTILE = (r"^/(a+)+$", r"^/(a|aa)+$", r"^/(a|a?)+$", r"^/(.*a){12}$", r"^/([a-z]+)*\d$")
#: 50 characters that almost match every hostile pattern: the worst case of a
#: backtracking engine.
HOSTILE_PATH = "/" + "a" * 48 + "!"


def configure(workdir: Path) -> None:
    import django
    from django.conf import settings

    options = settings_for(str(workdir / "bench.sqlite3"), panel=True)
    # Installed snapshots stay trusted for the whole run: nothing re-reads the database
    # between two batches.
    options["MAINTENANCE_MODE_STATE_TTL"] = 3600
    settings.configure(**options)
    django.setup()


def timed(function: Any) -> float:
    """Seconds of this thread's CPU time that ``function()`` takes (RE2 compiles in this
    thread too; time spent waiting for a core on a shared machine is not counted)."""
    start = time.thread_time()
    function()
    return time.thread_time() - start


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def malloc_in_use() -> int | None:
    """Bytes allocated with C's malloc (glibc), which RE2's own memory is part of; None
    where glibc's ``mallinfo2`` is not available."""
    try:
        function = ctypes.CDLL(None).mallinfo2
    except (AttributeError, OSError):
        return None
    function.restype = _MallInfo2
    info = function()
    return int(info.uordblks + info.hblkhd)


def measure_requests(prepared: dict[str, Any], rounds: int, batch: int, seed: int) -> Any:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maintenance_panel import state

    handler = make_handler(PANEL_MIDDLEWARE)
    scenarios = []
    for (kind, size), snapshot in prepared["snapshots"].items():
        cookie = prepared["cookies"].get(kind, "")
        scenario = Scenario(
            f"{kind} {size}", handler, environ(cookie), "503 Service Unavailable", True
        )
        scenario.snapshot = snapshot  # type: ignore[attr-defined]
        scenario.key = (kind, size)  # type: ignore[attr-defined]
        scenarios.append(scenario)

    def install(scenario: Scenario) -> None:
        # The private installer: the only way to switch between ready snapshots without
        # touching the database, so that only the request itself is timed.
        state._install(scenario.snapshot)  # type: ignore[attr-defined]

    queries = {}
    for scenario in scenarios:
        install(scenario)
        scenario.check(5)
        with CaptureQueriesContext(connection) as captured:
            for _ in range(10):
                scenario.request()
        queries[scenario.key] = len(captured.captured_queries) / 10  # type: ignore[attr-defined]

    rng = random.Random(seed)
    for _ in range(rounds):
        rng.shuffle(scenarios)
        for scenario in scenarios:
            install(scenario)
            scenario.time_batch(batch, time.thread_time_ns)
    medians = {
        scenario.key: statistics.median(scenario.times)  # type: ignore[attr-defined]
        for scenario in scenarios
    }
    return medians, queries


def memory_of(build: Callable[[], Any]) -> tuple[int, float]:
    """Bytes of Python objects (tracemalloc) and of C's malloc (NaN where it cannot be
    read) that what ``build()`` returns holds."""
    gc.collect()
    before = malloc_in_use()
    tracemalloc.start()
    built = build()
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = malloc_in_use()
    del built
    # Python's own objects of more than 512 bytes come from malloc too: counted twice.
    return traced, float("nan") if before is None or after is None else after - before


def measure_snapshot() -> dict[str, float]:
    """Build and memory figures of a snapshot with 10,000 entries in every list."""
    from maintenance_panel import loading
    from maintenance_panel import snapshot as snapshot_module
    from maintenance_panel.snapshot import Snapshot

    size = max(SIZES)
    fill_every_list(size)
    read = timed(loading.load_data)
    data = loading.load_data()
    assert len(data["group_ids"]) == len(data["user_ids"]) == size

    def forget_parsed() -> None:
        # Cold: as if this process had never seen these lists.
        forget = getattr(snapshot_module, "forget_built", None)
        if forget is not None:
            forget()
            return
        for name in ("networks_of", "patterns_of"):  # code from before forget_built()
            getattr(getattr(snapshot_module, name, None), "cache_clear", lambda: None)()

    def build(data: dict[str, Any] = data) -> Any:
        return Snapshot.from_data(data, "bench")

    colds = []
    for _ in range(3):
        forget_parsed()
        gc.collect()
        colds.append(timed(build))
    cold = statistics.median(colds)
    # The same lists again (a change of the title, say): the median of five.
    warm = statistics.median(timed(build) for _ in range(5))

    forget_parsed()
    traced, native = memory_of(build)
    return {"read": read, "cold": cold, "warm": warm, "traced": traced, "native": native}


def measure_hostile(prepared: dict[str, Any]) -> dict[str, float]:
    """Microseconds of one request for ``HOSTILE_PATH`` with each hostile pattern listed."""
    from django.core.exceptions import ValidationError

    from maintenance_panel import loading, state
    from maintenance_panel.models import MaintenanceConfig
    from maintenance_panel.snapshot import Snapshot

    handler = make_handler(PANEL_MIDDLEWARE)
    figures: dict[str, Any] = {}
    for pattern in HOSTILE:
        config = MaintenanceConfig.get_solo()
        config.ignore_urls = pattern
        try:
            config.full_clean(exclude=["ignore_groups", "ignore_users"])
        except ValidationError:
            figures[pattern] = "refused on save"
            continue
        data = {**loading.load_data(), "ignore_urls": pattern, "bypass_links": {}}
        state._install(Snapshot.from_data(data, f"hostile {pattern}"))
        env = environ()
        env["PATH_INFO"] = HOSTILE_PATH
        scenario = Scenario(pattern, handler, env, "503 Service Unavailable", True)
        scenario.request()
        times = []
        for _ in range(20):
            start = time.perf_counter_ns()
            scenario.request()
            times.append((time.perf_counter_ns() - start) / 1000)
        figures[pattern] = statistics.median(times)
    return figures


def report(medians: dict[Any, float], queries: dict[Any, float]) -> list[bool]:
    """The table of request costs as the lists grow; whether each goal was met."""
    met = []
    print(f"{'list':<38}{'10 / 1':>10}{'1,000 / 100':>13}{'10,000 / 1,000':>16}{'growth':>9}")
    rows = (
        ("ip", "IP networks (ignore_ip_addresses)", SIZES, 2.0),
        ("url", "URL patterns (ignore_urls)", SIZES, 2.0),
        ("bypass", "bypass links", SIZES, 2.0),
        ("groups", "listed groups, logged-in non-member", GROUP_SIZES, 1.3),
    )
    for kind, label, sizes, goal in rows:
        figures = [medians[kind, size] for size in sizes]
        growth = figures[-1] / figures[0]
        met.append(growth <= goal)
        widths = (7, 10, 13)
        cells = "".join(f"{f:>{w}.0f} us" for f, w in zip(figures, widths, strict=True))
        print(f"{label:<38}{cells}{growth:>8.2f}x  (goal <= {goal}x)")
    counts = ", ".join(f"{queries['groups', size]:.0f}" for size in GROUP_SIZES)
    print(f"queries per request, groups 1 / 100 / 1,000: {counts} (Django's session and user: 2)")
    met.append(all(queries["groups", size] <= 3 for size in GROUP_SIZES))
    return met


def report_snapshot(snapshot: dict[str, float]) -> list[bool]:
    """The build time and memory of the snapshot; whether each goal was met."""
    print(
        f"\nsnapshot with 10,000 entries in every list (IP, URL, bypass links, groups, users):"
        f"\n  database read {snapshot['read'] * 1000:.0f} ms (not per request: once per change)"
        f"\n  build {snapshot['cold'] * 1000:.0f} ms the first time (median of 3; goal "
        f"< 100 ms: {verdict(snapshot['cold'] < 0.1)}); with the same lists "
        f"again (another field changed) {snapshot['warm'] * 1000:.1f} ms: a list is parsed "
        "again only when its text changed"
        f"\n  memory {snapshot['traced'] / 1e6:.1f} MB of Python objects (tracemalloc) + "
        f"{snapshot['native'] / 1e6:.1f} MB from C's malloc (the pattern engine's; partly "
        f"the same objects again) = {(snapshot['traced'] + snapshot['native']) / 1e6:.1f} MB "
        "at most (goal < 10 MB)"
    )
    native = 0.0 if math.isnan(snapshot["native"]) else snapshot["native"]
    total = snapshot["traced"] + native
    return [snapshot["cold"] < 0.1, total < 10e6]


def report_hostile(hostile: dict[str, Any]) -> list[bool]:
    """One request's time with each hostile pattern; whether every one was fast."""
    print(f"\nhostile patterns, one request for {HOSTILE_PATH!r} (50 characters):")
    for pattern, figure in hostile.items():
        text = figure if isinstance(figure, str) else f"{figure:.0f} us"
        print(f"  {pattern:<18} {text}")
    return [all(isinstance(f, str) or f < 50_000 for f in hostile.values())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="rounds (default 30)")
    parser.add_argument("--batch", type=int, default=10, help="requests per batch (10)")
    parser.add_argument("--seed", type=int, default=1, help="shuffle seed")
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile patterns")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="maintenance-lists-") as workdir:
        configure(Path(workdir))
        prepared = prepare()
        snapshot = measure_snapshot()
        print(f"prepared in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        medians, queries = measure_requests(prepared, args.rounds, args.batch, args.seed)
        hostile = {} if args.no_hostile else measure_hostile(prepared)
    print(
        f"Python {PYTHON_VERSION}, maintenance on, a visitor matching no entry; "
        f"CPU time per request, median of {args.rounds} rounds x {args.batch}\n"
    )
    met = report(medians, queries) + report_snapshot(snapshot)
    if hostile:
        met += report_hostile(hostile)
    print(
        f"\n{'all goals met' if all(met) else 'a goal was MISSED'}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    return 1 if args.strict and not all(met) else 0


if __name__ == "__main__":
    raise SystemExit(main())
