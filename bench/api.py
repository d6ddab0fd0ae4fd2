"""What the automation API costs, next to the status endpoint, and that the ordinary
request path did not get slower.

Run from the repository root::

    .venv/bin/python bench/api.py [--rounds 40] [--batch 10]

One process, one Django (SQLite, LocMem cache), raw ``WSGIHandler`` calls through the
demo site's middleware stack. Each round serves a batch of every scenario, in random
order; the timer is this thread's CPU time; each figure is the median over the rounds
of a request's mean time in its batch, and each ratio the median of the ratios taken
round by round (so both sides of a ratio met the same machine):

- ``status``: ``GET maintenance/status/`` (no token): the status endpoint;
- ``api-get``: ``GET maintenance/api/`` with a token: the whole ``status --json``
  document (the state read from the database, the names, the fleet reports);
- ``api-post``: ``POST maintenance/api/`` with a token and ``{"message": ...}``: a
  validated, recorded write (one transaction, the history, the cache stamp);
- ``page-bare`` and ``page-off``: the benchmark page without this app's middleware, and
  with it and maintenance off: the ordinary request path, which the API leaves alone
  (five times ``--batch`` of them per round: they are cheap, and their ratio is the
  figure that matters).

It also counts the queries of one request of each.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import include, path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import print_header  # noqa: E402
from bench.site import PANEL_MIDDLEWARE, page, settings_for  # noqa: E402
from bench.wsgi_stack import Scenario, environ, make_handler  # noqa: E402


def url_patterns() -> list[Any]:
    """This benchmark's URLconf (``ROOT_URLCONF = "bench.api"``): the page and the app's
    URLs (made once Django is set up: the app's URLs import its models)."""
    return [path("", page), path("maintenance/", include("maintenance_panel.urls"))]


if settings.configured:  # imported as the URLconf by the run below
    urlpatterns = url_patterns()

#: How many times ``--batch`` the page scenarios serve per round.
PAGE_BATCH = 5
#: Each scenario compared, and the one it is compared with.
REFERENCE = {"api-get": "status", "api-post": "status", "page-off": "page-bare"}


class BodyScenario(Scenario):
    """A scenario whose requests carry a body."""

    def __init__(self, *args: Any, body: bytes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body

    def request(self) -> str:
        seen: list[str] = []
        env = dict(self.env)
        env["wsgi.input"] = io.BytesIO(self.body)
        response = self.handler(env, lambda status, headers, exc_info=None: seen.append(status))
        b"".join(response)
        response.close()
        return seen[0]


def configure(workdir: Path) -> None:
    import django

    options = settings_for(str(workdir / "bench.sqlite3"), panel=True)
    options["ROOT_URLCONF"] = "bench.api"
    settings.configure(**options)
    django.setup()
    globals()["urlpatterns"] = url_patterns()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def scenarios() -> list[Scenario]:
    from maintenance_panel import core

    token = core.create_api_token("bench")
    bare, panel = make_handler(None), make_handler(PANEL_MIDDLEWARE)
    status = {**environ(), "PATH_INFO": "/maintenance/status/"}
    api = {**environ(), "PATH_INFO": "/maintenance/api/", "HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = json.dumps({"message": "Back at ten."}).encode()
    post = {
        **api,
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
    }
    return [
        Scenario("status", panel, status, "200 OK", maintenance=False),
        Scenario("api-get", panel, api, "200 OK", maintenance=False),
        BodyScenario("api-post", panel, post, "200 OK", maintenance=False, body=body),
        Scenario("page-bare", bare, environ(), "200 OK", maintenance=False),
        Scenario("page-off", panel, environ(), "200 OK", maintenance=False),
    ]


def queries_of(scenario: Scenario) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        scenario.request()
    return len(captured)


def run(rounds: int, batch: int, seed: int) -> int:
    found = scenarios()
    for scenario in found:
        scenario.check(20)
    queries = {scenario.name: queries_of(scenario) for scenario in found}
    shuffle = random.Random(seed)
    started = time.monotonic()
    for _ in range(rounds):
        order = list(found)
        shuffle.shuffle(order)
        for scenario in order:
            # The page is cheap: more of it per batch, for a steadier ratio.
            size = batch * PAGE_BATCH if scenario.name.startswith("page") else batch
            scenario.time_batch(size, time.thread_time_ns)
    by_name = {scenario.name: scenario for scenario in found}
    print(f"({time.monotonic() - started:.0f} s)\n")
    print("| scenario | median | vs | ratio | queries |\n|---|---:|---|---:|---:|")
    for scenario in found:
        reference = REFERENCE.get(scenario.name)
        ratio = ""
        if reference is not None:
            ratios = [a / b for a, b in zip(scenario.times, by_name[reference].times, strict=True)]
            ratio = f"{statistics.median(ratios):.2f}x"
        print(
            f"| {scenario.name} | {statistics.median(scenario.times):.1f} us | "
            f"{reference or ''} | {ratio} | {queries[scenario.name]} |"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        configure(Path(workdir))
        print_header(
            f"{options.rounds} rounds x {options.batch} requests", wall=False, cpu="thread CPU"
        )
        return run(options.rounds, options.batch, options.seed)


if __name__ == "__main__":
    raise SystemExit(main())
