"""What maintenance_panel costs per request, measured in-process through WSGI.

Run from the repository root::

    .venv/bin/python bench/overhead.py [--rounds 600] [--batch 20] [--wall] [--strict]

One process, one Django; each scenario has its own ``WSGIHandler`` built with its own
``MIDDLEWARE``, so the scenarios run side by side. Every round runs a short batch of
each scenario in random order; a scenario's figure is the median over the rounds of
its per-request time, and its overhead the median of the per-round differences to
bare Django (so that a burst of load from elsewhere hits both sides of a difference).
Time is the CPU time of this thread (``--wall``: wall-clock time).

Scenarios:

- ``bare``: the page, without MaintenanceModeMiddleware in MIDDLEWARE.
- ``empty-mw``: a middleware that does nothing in its place: what Django charges for
  any middleware of this shape.
- ``off``: the middleware installed, maintenance off.
- ``on-anonymous``: maintenance on, an anonymous visitor: the 503 page.
- ``bare-user`` / ``on-exempt-user``: a logged-in staff user with
  ``ignore_staff`` on, without and with the middleware (the page greets the user, so
  both read the session and the user: two queries that are Django's, not ours).

Queries and file opens are counted over a separate pass right after the snapshot has
been validated (``sys.addaudithook`` sees every ``open``). With the LocMem cache used
here each process re-reads the state (four queries) once per
``MAINTENANCE_MODE_STATE_TTL``; with a shared cache it is one cache ``get``.
Last, the middleware alone is timed (``__call__`` and ``process_view``, best of 7).
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.site import BASE_MIDDLEWARE, PANEL_MIDDLEWARE, settings_for  # noqa: E402


def configure(workdir: Path) -> None:
    import django
    from django.conf import settings

    settings.configure(**settings_for(str(workdir / "bench.sqlite3"), panel=True))
    django.setup()


def make_handler(last: str | None) -> Any:
    """A WSGI handler with the demo's middleware stack, plus ``last`` at its end."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=[*BASE_MIDDLEWARE, *([last] if last else [])]):
        return WSGIHandler()


def in_isolation() -> dict[str, float]:
    """Nanoseconds of one request through the middleware alone (maintenance off):
    ``__call__`` plus ``process_view``, with a view that answers at once."""
    import timeit

    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from bench.site import EmptyMiddleware, page
    from maintenance_panel import state
    from maintenance_panel.middleware import MaintenanceModeMiddleware

    set_maintenance(False)
    state.get_snapshot()
    response = HttpResponse("page")
    figures = {}
    for name, kind in (("empty", EmptyMiddleware), ("off", MaintenanceModeMiddleware)):
        middleware = kind(lambda request: response)
        request = RequestFactory().get("/")
        request.resolver_match = resolve("/")

        def one() -> None:
            middleware.process_view(request, page, (), {})  # noqa: B023
            middleware(request)  # noqa: B023
            request.__dict__.pop("_maintenance_panel_decided", None)  # noqa: B023

        figures[name] = min(timeit.repeat(one, number=20000, repeat=7)) / 20000 * 1e9
    return figures


def environ(cookie: str = "") -> dict[str, Any]:
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


class Scenario:
    """One way of serving the page, with the status it must answer."""

    def __init__(
        self, name: str, handler: Any, env: dict[str, Any], status: str, maintenance: bool
    ) -> None:
        self.name = name
        self.handler = handler
        self.env = env
        self.status = status
        self.maintenance = maintenance
        self.times: list[float] = []

    def request(self) -> str:
        seen: list[str] = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            seen.append(status)
            return None

        env = dict(self.env)
        env["wsgi.input"] = io.BytesIO(b"")
        response = self.handler(env, start_response)
        b"".join(response)
        response.close()  # what a WSGI server does: sends request_finished
        return seen[0]


def set_maintenance(on: bool) -> None:
    from maintenance_panel.models import MaintenanceConfig

    config = MaintenanceConfig.get_solo()
    if config.enabled != on:
        config.enabled = on
        config.save()


def prepare_for(scenario: Scenario) -> None:
    from maintenance_panel import state

    set_maintenance(scenario.maintenance)
    state.get_snapshot()


def count_per_request(scenario: Scenario, requests: int) -> tuple[float, float]:
    """(queries, file opens) per request, over ``requests`` requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prepare_for(scenario)
    scenario.request()  # anything lazily built on first use is not per request
    opens = 0
    counting = False

    def hook(event: str, args: Any) -> None:
        nonlocal opens
        if counting and event == "open":
            opens += 1

    sys.addaudithook(hook)
    with CaptureQueriesContext(connection) as queries:
        counting = True
        for _ in range(requests):
            scenario.request()
        counting = False
    return len(queries.captured_queries) / requests, opens / requests


def run(rounds: int, batch: int, seed: int, wall: bool) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from maintenance_panel.models import MaintenanceConfig

    call_command("migrate", verbosity=0, run_syncdb=True)
    user = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    config = MaintenanceConfig.get_solo()
    config.ignore_staff = True
    config.save()
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    bare, panel = make_handler(None), make_handler(PANEL_MIDDLEWARE)
    empty = make_handler("bench.site.EmptyMiddleware")
    scenarios = [
        Scenario("bare", bare, environ(), "200 OK", maintenance=False),
        Scenario("empty-mw", empty, environ(), "200 OK", maintenance=False),
        Scenario("off", panel, environ(), "200 OK", maintenance=False),
        Scenario("on-anonymous", panel, environ(), "503 Service Unavailable", True),
        Scenario("bare-user", bare, environ(cookie), "200 OK", maintenance=False),
        Scenario("on-exempt-user", panel, environ(cookie), "200 OK", maintenance=True),
    ]
    counts = {}
    for scenario in scenarios:
        prepare_for(scenario)
        for _ in range(50):  # warm up, and check that each answers what it should
            status = scenario.request()
            if status != scenario.status:
                raise SystemExit(f"{scenario.name}: got {status}, expected {scenario.status}")
        counts[scenario.name] = count_per_request(scenario, 200)

    rng = random.Random(seed)
    # CPU time of this thread: time spent by other processes while this one waits
    # for a core (a shared 2-core machine) is not counted. --wall counts it.
    timer = time.perf_counter_ns if wall else time.thread_time_ns
    for _ in range(rounds):
        rng.shuffle(scenarios)
        for scenario in scenarios:
            prepare_for(scenario)  # no write unless the state must change
            request: Callable[[], str] = scenario.request
            gc.collect()
            start = timer()
            for _ in range(batch):
                request()
            scenario.times.append((timer() - start) / batch / 1000)
    order = ["bare", "empty-mw", "off", "on-anonymous", "bare-user", "on-exempt-user"]
    by_name = {scenario.name: scenario for scenario in scenarios}
    return {
        "scenarios": {name: by_name[name] for name in order},
        "counts": counts,
        "isolation": in_isolation(),
    }


def low_quantile(times: list[float]) -> float:
    return statistics.quantiles(times, n=10)[0]


def report(result: dict[str, Any], strict: bool) -> int:
    scenarios: dict[str, Scenario] = result["scenarios"]
    counts = result["counts"]
    reference = {
        "empty-mw": "bare",
        "off": "bare",
        "on-anonymous": "bare",
        "on-exempt-user": "bare-user",
    }
    print(
        f"{'scenario':<16}{'median us':>10}{'vs':>11}{'overhead us':>13}{'IQR':>15}"
        f"{'ratio':>8}{'p10 diff':>10}{'queries':>9}{'opens':>7}"
    )
    figures = {}
    for name, scenario in scenarios.items():
        median = statistics.median(scenario.times)
        base = reference.get(name)
        queries, opens = counts[name]
        if base is None:
            print(f"{name:<16}{median:>10.1f}{'':>57}{queries:>9.2f}{opens:>7.2f}")
            continue
        pairs = list(zip(scenario.times, scenarios[base].times, strict=True))
        differences = [a - b for a, b in pairs]
        overhead = statistics.median(differences)
        low, _, high = statistics.quantiles(differences, n=4)
        ratio = statistics.median(a / b for a, b in pairs)
        # Interference from other processes only ever adds time: the fastest tenth of
        # the rounds shows the cost itself best.
        floor = low_quantile(scenario.times) - low_quantile(scenarios[base].times)
        figures[name] = (overhead, ratio, queries, opens, floor)
        spread = f"{low:+.1f}..{high:+.1f}"
        print(
            f"{name:<16}{median:>10.1f}{base:>11}{overhead:>+13.2f}{spread:>15}{ratio:>8.3f}"
            f"{floor:>+10.2f}{queries:>9.2f}{opens:>7.2f}"
        )
    isolation = result["isolation"]
    print(
        f"\nthe middleware alone, maintenance off: {isolation['off']:.0f} ns per request; "
        f"an empty middleware of the same shape: {isolation['empty']:.0f} ns"
    )
    off, on_anonymous = figures["off"], figures["on-anonymous"]
    targets = [
        # Whole-request medians scatter by tens of microseconds on a shared machine (the
        # empty middleware alone moves by more than 2 us between runs), so the +2 us
        # target is judged on the middleware timed alone against an empty one.
        (
            "off: the middleware alone costs <= +2 us over an empty one",
            (isolation["off"] - isolation["empty"]) / 1000 <= 2.0,
        ),
        ("off: ratio <= 1.02", off[1] <= 1.02),
        ("off: 0 queries, 0 file opens", off[2] == 0 and off[3] == 0),
        ("on-anonymous: ratio <= 0.95 of the bare page", on_anonymous[1] <= 0.95),
        ("on-anonymous: 0 queries, 0 file opens", on_anonymous[2] == 0 and on_anonymous[3] == 0),
        (
            "on-exempt-user: no query beyond Django's own",
            figures["on-exempt-user"][2] <= counts["bare-user"][0],
        ),
    ]
    print()
    for label, met in targets:
        print(f"{'met ' if met else 'MISSED'}  {label}")
    return 1 if strict and not all(met for _, met in targets) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=600, help="rounds (default 600)")
    parser.add_argument("--batch", type=int, default=20, help="requests per batch (20)")
    parser.add_argument("--seed", type=int, default=1, help="shuffle seed")
    parser.add_argument("--wall", action="store_true", help="wall-clock, not CPU, time")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="maintenance-bench-") as workdir:
        configure(Path(workdir))
        result = run(args.rounds, args.batch, args.seed, args.wall)
        print(
            f"{args.rounds} rounds x {args.batch} requests per scenario, Python "
            f"{sys.version.split()[0]}, interleaved in random order, "
            f"{'wall-clock' if args.wall else 'CPU'} time per request\n"
        )
        return report(result, args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
