"""What maintenance_panel costs per request, measured in-process through ASGI.

Run from the repository root (django-maintenance-mode comes with the ``bench`` extra:
``.venv/bin/pip install -e '.[dev,bench]'``)::

    .venv/bin/python bench/overhead_asgi.py [--rounds 100] [--batch 20] [--max-seconds 90]
        [--wall] [--strict]

The ASGI twin of ``bench/overhead.py``: one process, one Django; each scenario has its
own ``ASGIHandler`` with its own ``MIDDLEWARE``, driven on one asyncio loop. Every
round runs a short batch of each scenario in random order, after one untimed request
(a state change re-renders the 503 page once: per change, not per request). Figures are
medians over the rounds; each comparison is the median of the per-round differences
and ratios to bare Django, with their interquartile range. Time is the CPU time of the
whole process (Django runs sync views, signal receivers and ``process_request`` hooks
in worker threads under ASGI, so this thread's time alone would miss them); ``--wall``:
wall-clock time.

Scenarios (an anonymous visitor asking for ``/``):

- ``bare``: the page, no maintenance middleware in MIDDLEWARE;
- ``off``: ``maintenance_panel.middleware.MaintenanceModeMiddleware``, maintenance off;
- ``dmm-off``: django-maintenance-mode's middleware instead, its state file saying off;
- ``on-anonymous``: this app's middleware, maintenance on: the 503 page.

Before timing, each handler's middleware chain is printed as Django built it (every
middleware's mode and any ``sync_to_async``/``async_to_sync`` adapter between them),
and a counting pass per scenario counts the calls of the middleware's ``__acall__``,
the thread hops (``sync_to_async`` / ``async_to_sync`` calls, by function), the queries
of every thread and the files opened, per request. Last, the middleware alone is timed
(``process_view`` and ``__call__``, maintenance off) on its async path and on its sync
path, each against an empty middleware of the same shape (best of 7). The rounds stop
after ``--max-seconds`` at the latest (a busy machine serves ASGI requests slowly).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asgiref.sync import iscoroutinefunction

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.asgi_stack import (  # noqa: E402
    DMM_MIDDLEWARE,
    DMM_ONLY_SETTINGS,
    PINNED_SETTINGS,
    AsyncEmptyMiddleware,
    asgi_handler,
    call,
    counting_calls,
    counting_hops,
    counting_opens,
    describe_chain,
    dmm_added_settings,
    http_scope,
    view_hook_mode,
)
from bench.report import Comparison, print_header, print_targets  # noqa: E402
from bench.site import (  # noqa: E402
    BASE_MIDDLEWARE,
    PANEL_MIDDLEWARE,
    EmptyMiddleware,
    page,
    settings_for,
)

ORDER = ["bare", "off", "dmm-off", "on-anonymous"]
REFERENCE = {"off": "bare", "dmm-off": "bare", "on-anonymous": "bare"}


def configure(workdir: Path) -> None:
    import django
    from django.conf import settings

    state_file = workdir / "maintenance_mode_state.txt"
    state_file.write_text("0")  # django-maintenance-mode off, as its command leaves it
    settings.configure(
        **settings_for(str(workdir / "bench.sqlite3"), panel=True),
        **PINNED_SETTINGS,
        MAINTENANCE_MODE_STATE_FILE_PATH=str(state_file),
    )
    django.setup()


@dataclass
class Scenario:
    """One way of serving the page, with the status it must answer."""

    name: str
    handler: Any
    switch: bool | None  # this app's switch for the scenario; None: does not matter
    status: int
    scope: dict = field(default_factory=http_scope)
    times: list[float] = field(default_factory=list)

    async def requests(self, count: int, timer: Callable[[], int]) -> float:
        """Microseconds per request over ``count`` requests."""
        handler, scope = self.handler, self.scope
        start = timer()
        for _ in range(count):
            await call(handler, scope)
        return (timer() - start) / count / 1000


def prepare(scenario: Scenario) -> None:
    """This app's switch as the scenario needs it (no write unless it must change)."""
    from maintenance_panel.core import get_maintenance_mode, set_maintenance_mode

    if scenario.switch is not None and get_maintenance_mode() != scenario.switch:
        set_maintenance_mode(scenario.switch, label="benchmark")


def count_per_request(loop: asyncio.AbstractEventLoop, scenario: Scenario, n: int) -> dict:
    """Per request: ``__acall__`` calls, queries (any thread), file opens, hops."""
    from django.db.backends.utils import CursorWrapper

    from maintenance_panel.middleware import MaintenanceModeMiddleware

    prepare(scenario)
    loop.run_until_complete(call(scenario.handler, scenario.scope))
    start = time.perf_counter()
    with (
        counting_calls(CursorWrapper, "execute") as queries,
        counting_calls(CursorWrapper, "executemany") as many,
        counting_calls(MaintenanceModeMiddleware, "__acall__") as acall,
        counting_hops() as hops,
        counting_opens() as opens,
    ):
        loop.run_until_complete(scenario.requests(n, time.perf_counter_ns))
    return {
        "seconds": time.perf_counter() - start,
        "queries": (queries.total() + many.total()) / n,
        "opens": opens.total() / n,
        "acall": acall.total() / n,
        "hops": {name: count / n for name, count in hops.most_common()},
    }


def build(loop: asyncio.AbstractEventLoop) -> tuple[list[Scenario], dict]:
    """The scenarios, checked (each answers what it should), with their chains."""
    from django.conf import settings
    from django.core.management import call_command

    from maintenance_panel.middleware import MaintenanceModeMiddleware

    call_command("migrate", verbosity=0, run_syncdb=True)
    added = dmm_added_settings()
    bare = asgi_handler(BASE_MIDDLEWARE)
    panel = asgi_handler([*BASE_MIDDLEWARE, PANEL_MIDDLEWARE])
    dmm = asgi_handler([*BASE_MIDDLEWARE, DMM_MIDDLEWARE])
    scenarios = [
        Scenario("bare", bare, None, 200),
        Scenario("off", panel, False, 200),
        Scenario("dmm-off", dmm, None, 200),
        Scenario("on-anonymous", panel, True, 503),
    ]
    for scenario in scenarios:
        prepare(scenario)
        for _ in range(30):  # warm up, and check the answers
            status = loop.run_until_complete(call(scenario.handler, scenario.scope))
            if status != scenario.status:
                raise SystemExit(f"{scenario.name}: got {status}, expected {scenario.status}")
    info = {
        "chains": {
            name: describe_chain(handler)
            for name, handler in (("bare", bare), ("panel", panel), ("dmm", dmm))
        },
        "view_hook": view_hook_mode(panel, MaintenanceModeMiddleware),
        "dmm_added": added,
        "ttl": float(getattr(settings, "MAINTENANCE_MODE_STATE_TTL", 1.0)),
        "counts": {s.name: count_per_request(loop, s, 100) for s in scenarios},
    }
    return scenarios, info


def measure(
    loop: asyncio.AbstractEventLoop, scenarios: list[Scenario], args: argparse.Namespace
) -> None:
    rng = random.Random(args.seed)
    timer = time.perf_counter_ns if args.wall else time.process_time_ns
    deadline = time.monotonic() + args.max_seconds
    for _ in range(args.rounds):
        if time.monotonic() > deadline:
            break
        rng.shuffle(scenarios)
        for scenario in scenarios:
            prepare(scenario)
            loop.run_until_complete(call(scenario.handler, scenario.scope))
            gc.collect()
            scenario.times.append(loop.run_until_complete(scenario.requests(args.batch, timer)))


async def _await_each(middleware: Any, requests: list[Any]) -> int:
    view_hook = middleware.process_view
    start = time.thread_time_ns()
    for request in requests:
        await view_hook(request, page, (), {})
        await middleware(request)
    return time.thread_time_ns() - start


def _call_each(middleware: Any, requests: list[Any]) -> int:
    view_hook = middleware.process_view
    start = time.thread_time_ns()
    for request in requests:
        view_hook(request, page, (), {})
        middleware(request)
    return time.thread_time_ns() - start


def in_isolation(loop: asyncio.AbstractEventLoop, number: int = 5000) -> dict[str, float]:
    """Nanoseconds of one request through the middleware alone (``process_view`` and
    ``__call__``, maintenance off), on its async path (awaited, the view async) and on
    its sync path, each against an empty middleware of the same shape: best of 7, in
    CPU time of this thread (neither path leaves it while maintenance is off: see the
    hop counts), so that other processes' load does not count."""
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from maintenance_panel.core import get_maintenance_mode, set_maintenance_mode
    from maintenance_panel.middleware import MaintenanceModeMiddleware

    if get_maintenance_mode():
        set_maintenance_mode(False, label="benchmark")
    response, match, factory = HttpResponse("page"), resolve("/"), RequestFactory()

    async def answer(request: Any) -> Any:
        return response

    kinds: dict[str, tuple[type, Any]] = {
        "empty, async": (AsyncEmptyMiddleware, answer),
        "off, async": (MaintenanceModeMiddleware, answer),
        "empty, sync": (EmptyMiddleware, lambda request: response),
        "off, sync": (MaintenanceModeMiddleware, lambda request: response),
    }
    best = dict.fromkeys(kinds, float("inf"))
    for _ in range(7):
        for name, (kind, get_response) in kinds.items():
            middleware = kind(get_response)
            requests = [factory.get("/") for _ in range(number)]
            for request in requests:
                request.resolver_match = match
            get_maintenance_mode()  # a fresh snapshot: re-validation is once per TTL
            gc.collect()
            if iscoroutinefunction(middleware):
                elapsed = loop.run_until_complete(_await_each(middleware, requests))
            else:
                elapsed = _call_each(middleware, requests)
            best[name] = min(best[name], elapsed / number)
    return best


def print_checks(info: dict) -> None:
    print("middleware chains, as Django built them for ASGI (outermost first):")
    for name, (chain, native) in info["chains"].items():
        print(f"  {name:<6}{'native async' if native else 'ADAPTED':<14}{chain}")
    print(f"  this app's process_view is called as: {info['view_hook']}")
    added = sorted(info["dmm_added"])
    unexpected = set(added) - DMM_ONLY_SETTINGS
    print(f"  settings django-maintenance-mode added: {', '.join(added) or 'none'}")
    if unexpected:
        print(f"  WARNING: it also set {', '.join(sorted(unexpected))}, which this app reads")
    print("\nper request (counting pass, 100 requests); hops: sync_to_async/async_to_sync calls")
    print(f"  {'scenario':<14}{'__acall__':>10}{'queries':>9}{'opens':>7}{'hops':>7}  hops")
    bare = info["counts"]["bare"]["hops"]
    for name in ORDER:
        counts = info["counts"][name]
        hops = counts["hops"]
        if name == "bare":
            detail = ", ".join(f"{k} {v:g}" for k, v in hops.items())
        else:  # what differs from bare Django's
            changes = sorted(
                ((k, hops.get(k, 0) - bare.get(k, 0)) for k in set(hops) | set(bare)),
                key=lambda change: (-change[1], change[0]),
            )
            detail = "vs bare: " + (", ".join(f"{k} {d:+g}" for k, d in changes if d) or "same")
        print(
            f"  {name:<14}{counts['acall']:>10.2f}{counts['queries']:>9.2f}"
            f"{counts['opens']:>7.2f}{sum(hops.values()):>7.2f}  {detail}"
        )


def print_figures(scenarios: dict[str, Scenario]) -> dict[str, Comparison]:
    """The table: every scenario against bare Django; by name, the comparison."""
    print(
        f"\n{'scenario':<14}{'median us':>10}{'vs':>6}{'diff us':>10}{'diff IQR':>17}"
        f"{'ratio':>8}{'ratio IQR':>15}{'ratio min..max':>17}"
    )
    compared = {}
    for name in ORDER:
        base = REFERENCE.get(name)
        if base is None:
            print(f"{name:<14}{statistics.median(scenarios[name].times):>10.1f}")
            continue
        one = compared[name] = Comparison(scenarios[name].times, scenarios[base].times)
        (d_low, d_high), (r_low, r_high) = one.difference_quartiles, one.ratio_quartiles
        print(
            f"{name:<14}{one.median:>10.1f}{base:>6}{one.difference:>+10.1f}"
            f"{f'{d_low:+.1f}..{d_high:+.1f}':>17}{one.ratio:>8.3f}"
            f"{f'{r_low:.3f}..{r_high:.3f}':>15}"
            f"{f'{min(one.ratios):.2f}..{max(one.ratios):.2f}':>17}"
        )
    return compared


def report(scenarios: dict[str, Scenario], info: dict, isolation: dict, strict: bool) -> int:
    from maintenance_panel.middleware import MaintenanceModeMiddleware

    print_checks(info)
    compared = print_figures(scenarios)
    print("\nthe middleware alone, maintenance off, CPU ns per request (best of 7 x 5,000):")
    for path in ("async", "sync"):
        off, empty = isolation[f"off, {path}"], isolation[f"empty, {path}"]
        print(f"  {path} path: {off:.0f}; an empty {path} one: {empty:.0f} ({off - empty:+.0f})")
    off = info["counts"]["off"]
    extra_hops = (sum(off["hops"].values()) - sum(info["counts"]["bare"]["hops"].values())) * 100
    # The state is re-validated once per MAINTENANCE_MODE_STATE_TTL, in a worker thread
    # (it may read the cache or the database): at most one hop per TTL, not per request.
    revalidations = off["seconds"] / info["ttl"] + 1
    targets = [
        ("off: the middleware runs natively async (no adapter)", info["chains"]["panel"][1]),
        # __acall__ is the async entry point of the public class; were it renamed, the
        # chain above still says whether Django runs the middleware natively async.
        (
            "off: __acall__ ran once per request",
            off["acall"] == 1 or "__acall__" not in vars(MaintenanceModeMiddleware),
        ),
        (
            f"off: no thread hop of its own but one per TTL ({extra_hops:.0f} in "
            f"{off['seconds']:.2f} s, TTL {info['ttl']:g} s)",
            extra_hops <= revalidations,
        ),
        ("off: ratio <= 1.02 (median)", compared["off"].ratio <= 1.02),
        # Cheaper in three rounds of four at least, not just a median below 1 by chance.
        (
            "on-anonymous: cheaper than the bare page (upper quartile of the ratios < 1)",
            compared["on-anonymous"].ratio_quartiles[1] < 1,
        ),
    ]
    met = print_targets(targets)
    return 1 if strict and not met else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="rounds (default 100)")
    parser.add_argument("--batch", type=int, default=20, help="requests per batch (20)")
    parser.add_argument(
        "--max-seconds", type=float, default=90, help="stop the rounds after this long (90)"
    )
    parser.add_argument("--seed", type=int, default=1, help="shuffle seed")
    parser.add_argument("--wall", action="store_true", help="wall-clock, not CPU, time")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    loop = asyncio.new_event_loop()
    try:
        with tempfile.TemporaryDirectory(prefix="maintenance-bench-asgi-") as workdir:
            configure(Path(workdir))
            scenarios, info = build(loop)
            measure(loop, scenarios, args)
            isolation = in_isolation(loop)
            rounds = len(scenarios[0].times)
            cut = f" (of {args.rounds}: --max-seconds reached)" if rounds < args.rounds else ""
            print_header(
                f"{rounds} rounds{cut} x {args.batch} requests", wall=args.wall, cpu="process CPU"
            )
            by_name = {scenario.name: scenario for scenario in scenarios}
            return report(by_name, info, isolation, args.strict)
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


if __name__ == "__main__":
    raise SystemExit(main())
