"""A deploy waits for every server: ``maintenance_mode on --wait`` against two gunicorn
servers on PostgreSQL and Redis, one of them forced off by its own settings."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

from tests.integration.asking import by_worker, load
from tests.integration.machine import PYTHON, ROOT
from tests.integration.servers import Server, gunicorn, ready
from tests.integration.sites import Site
from tests.integration.timing import BOUND, TTL

WORKERS = 2


@dataclass
class Run:
    """A finished ``manage.py maintenance_mode`` run, each output line with its time."""

    returncode: int
    lines: list[tuple[float, str]] = field(default_factory=list)
    stderr: str = ""

    @property
    def stdout(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def when(self, text: str) -> float:
        """When the first line containing ``text`` was printed."""
        for moment, line in self.lines:
            if text in line:
                return moment
        raise AssertionError(f"{text!r} was not printed:\n{self.stdout}\n{self.stderr}")


def manage(site: Site, *args: str, timeout: float = 120) -> Run:
    """Run ``manage.py maintenance_mode ARGS`` as a deploy script would."""
    process = subprocess.Popen(
        [PYTHON, "manage.py", "maintenance_mode", *args],
        cwd=ROOT,
        env=site.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    run = Run(returncode=-1)

    def read() -> None:
        # Each line as it comes (a thread: select() cannot see lines already buffered).
        assert process.stdout is not None
        for line in process.stdout:
            run.lines.append((time.time(), line.rstrip("\n")))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        run.returncode = process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(timeout=10)
    assert process.stderr is not None
    run.stderr = process.stderr.read()
    return run


def every_worker_answers(server: Server, workers: set[str], status: int) -> None:
    """Each worker of ``server`` answers ``status`` (asked until each has answered)."""
    answered = by_worker(server, pids=workers)
    statuses = {worker: {a.status for a in answers} for worker, answers in answered.items()}
    assert all(found == {status} for found in statuses.values()), statuses


def test_on_wait_names_the_workers_forced_off_then_succeeds_once_they_are_gone(site, servers):
    healthy = gunicorn(site, servers, workers=WORKERS, wait=False)
    forced = gunicorn(
        site, servers, workers=WORKERS, env={"DEMO_MAINTENANCE_MODE": "off"}, wait=False
    )
    ready(healthy, forced)
    healthy_workers, forced_workers = healthy.pids, forced.pids
    host = socket.gethostname()

    status = manage(site, "status")
    assert status.returncode == 0, status.stderr
    for pid in healthy_workers | forced_workers:
        assert f"{host}, pid {pid}: maintenance off" in status.stdout
    for pid in forced_workers:
        assert f"{host}, pid {pid}: maintenance off (forced by its settings)" in status.stdout

    failed = manage(site, "on", "--wait", "--timeout", "3")
    assert failed.returncode == 1
    assert "do not apply the new state" in failed.stderr
    for pid in forced_workers:
        assert f"{host}, pid {pid}: forced off by its settings" in failed.stderr
    for pid in healthy_workers:
        assert f"pid {pid}:" not in failed.stderr  # they switched
    print(f"\n`on --wait` failed as it should:\n{failed.stderr.strip()}")
    every_worker_answers(healthy, healthy_workers, 503)
    every_worker_answers(forced, forced_workers, 200)

    forced.stop()  # its workers exit cleanly and take their reports with them
    waited = manage(site, "wait", "--timeout", "10")
    assert waited.returncode == 0, waited.stderr
    assert "Every process seen recently applies the new state" in waited.stdout
    for pid in healthy_workers:
        assert f"{host}, pid {pid}:" in waited.stdout
    print(f"\nonce the forced server is gone, `wait` succeeds:\n{waited.stdout}")


def test_wait_returns_within_the_ttl_bound_and_every_worker_answers_503(site, servers):
    first = gunicorn(site, servers, workers=WORKERS, wait=False)
    second = gunicorn(site, servers, workers=WORKERS, wait=False)
    ready(first, second)
    host = socket.gethostname()

    with load([first, second]):  # every worker answers all the time, as on a live site
        time.sleep(TTL)  # every worker has re-validated and reported under load
        run = manage(site, "on", "--wait", "--timeout", "10")
    assert run.returncode == 0, run.stderr
    # The command says how long after the commit it returned; the headline comes a
    # little after the commit, so this measure is a floor of it (allowing for the
    # printed hundredths and for when this test's reader thread sees each line).
    reported = float(re.search(r"([\d.]+) s after the change\)", run.stdout)[1])
    took = run.when("Every process seen recently") - run.when("Maintenance mode is ON")
    assert took <= reported + 0.05
    for server in (first, second):
        for pid in server.pids:
            assert f"{host}, pid {pid}: has the new state (maintenance on" in run.stdout
        every_worker_answers(server, server.pids, 503)
    start = run.when("Maintenance mode is ON")
    timeline = "\n".join(f"  +{moment - start:.3f}s {line}" for moment, line in run.lines)
    print(
        f"\n`on --wait` returned {reported:.2f}s after the change committed, every one of "
        f"2 servers x {WORKERS} workers confirming (TTL {TTL}s, bound {BOUND}s):\n{timeline}"
    )
    assert reported <= BOUND
