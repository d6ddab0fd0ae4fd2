"""Celery tasks during maintenance, for real: a ``celery worker`` process of the demo site
(``MaintenanceAwareTask`` for every task, held tasks tried again after 1 s) with Redis
as broker and result backend, against the same PostgreSQL database and cache as the
site; maintenance switched by ``manage.py maintenance_mode`` as an operator would."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.integration.celery_worker import Worker, manage, rows, wait
from tests.integration.servers import Servers
from tests.integration.sites import Site


@pytest.fixture
def worker(site: Site, servers: Servers) -> Iterator[Worker]:
    """A ready worker of ``site`` on a queue of its own; stopped, its queue and results
    removed, when the test ends."""
    started = Worker(site, servers)
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()
        started.forget()


def test_full_maintenance_holds_tasks_and_off_runs_each_once(site: Site, worker: Worker) -> None:
    manage(site, "maintenance_mode", "on")

    write = worker.send("it.write", "ada")
    once = worker.send("it.write_once", "bob")  # max_retries=0
    exempt = worker.send("it.exempt", "eve")

    worker.wait_state(exempt, "SUCCESS")
    assert rows(site, "eve") == 1
    wait("held 3 times", lambda: len(worker.retries_logged(once)) >= 3, 20, worker)
    assert (worker.state(write), worker.state(once)) == ("RETRY", "RETRY")
    assert (rows(site, "ada"), rows(site, "bob")) == (0, 0)
    reasons = worker.retries_logged(write)
    assert reasons
    assert reasons[0] == (
        "it.write: held, not run: the whole site is under maintenance until it is "
        "switched off; tried again in 1 s."
    )
    reason = worker.result(write)  # read back by the test's own Celery client
    assert type(reason).__name__ == "TaskHeld"
    assert str(reason) == reasons[-1]
    work = json.loads(manage(site, "maintenance_mode", "status", "--json"))["work"]
    assert work["held_last_hour"]["it.write_once"] >= 3

    manage(site, "maintenance_mode", "off")

    worker.wait_state(write, "SUCCESS")
    worker.wait_state(once, "SUCCESS")
    assert (rows(site, "ada"), rows(site, "bob")) == (1, 1)
    worker.stop()
    assert (worker.successes_logged(write), worker.successes_logged(once)) == (1, 1)
    assert worker.left_in_queue() == 0  # no copy of either left to run again


def test_read_only_holds_a_task_that_writes_and_runs_one_that_reads(
    site: Site, worker: Worker
) -> None:
    manage(site, "maintenance_mode", "on", "--read-only")

    write = worker.send("it.write", "ada")
    read = worker.send("it.count")

    worker.wait_state(read, "SUCCESS")
    assert worker.result(read) == 0
    wait("held", lambda: len(worker.retries_logged(write)) >= 2, 20, worker)
    assert worker.state(write) == "RETRY"
    assert rows(site, "ada") == 0
    assert worker.retries_logged(write)[0] == (
        "it.write: stopped at its first database write, nothing written: the site is "
        "read-only for maintenance until it is switched off; tried again in 1 s."
    )

    manage(site, "maintenance_mode", "off")

    worker.wait_state(write, "SUCCESS")
    assert rows(site, "ada") == 1
    worker.stop()
    assert worker.successes_logged(write) == 1
    assert worker.left_in_queue() == 0
