"""Django's tasks framework on PostgreSQL and Redis: django-tasks-db's worker
(``manage.py db_worker``) in a process of its own holds a task started during
maintenance, enqueues it again (``MAINTENANCE_MODE_WORK_RETRY`` is 1 s here), and runs it
exactly once after maintenance ends; an exempt task runs; under read-only maintenance a
task that writes is held and one that reads runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.sites import Site
from tests.integration.tasking import Producer, Worker, migrate_tasks, needs_tasks_db, wait_until

PENDING = {"READY", "RUNNING"}


@pytest.fixture
def tasks_site(site: Site) -> Site:
    needs_tasks_db()
    migrate_tasks(site)
    return site


@pytest.fixture
def producer(tasks_site: Site) -> Iterator[Producer]:
    started = Producer(tasks_site)
    yield started
    started.stop()


@pytest.fixture
def start_worker(tasks_site: Site, tmp_path: Path) -> Iterator[Callable[[], Worker]]:
    """Starts the worker (once the test has set the state up); stops it at the end."""
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(tasks_site, tmp_path / "worker.log"))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_a_held_task_waits_then_runs_exactly_once(
    producer: Producer, start_worker: Callable[[], Worker], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    producer.switch(True)
    worker = start_worker()

    producer.enqueue("note", str(notes), "held")
    producer.enqueue("exempt_note", str(notes), "exempt")

    # Held twice: its run ended without the body, and the one enqueued again too.
    wait_until(
        "note held twice", lambda: producer.results("note").count("SUCCESSFUL") >= 2, worker=worker
    )
    wait_until("the exempt task ran", lambda: "exempt" in lines(notes), worker=worker)
    assert lines(notes) == ["exempt"]
    assert producer.results("note")[-1] in PENDING  # still waiting, never failed
    assert producer.ask("held")["tests.integration.worker_tasks.note"] >= 2

    producer.switch(False)

    wait_until("note ran", lambda: "held" in lines(notes), worker=worker)
    wait_until(
        "nothing pending", lambda: not PENDING & set(producer.results("note")), worker=worker
    )
    assert lines(notes) == ["exempt", "held"]
    assert "FAILED" not in producer.results("note")


def test_read_only_holds_a_task_that_writes_and_runs_one_that_reads(
    producer: Producer, start_worker: Callable[[], Worker], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    producer.switch(True, read_only=True)
    worker = start_worker()

    producer.enqueue("write_entry", str(notes), "w")
    producer.enqueue("count_entries", str(notes))

    wait_until(
        "write_entry held", lambda: "SUCCESSFUL" in producer.results("write_entry"), worker=worker
    )
    wait_until("count_entries ran", lambda: "entries 0" in lines(notes), worker=worker)
    assert producer.ask("entries") == 0
    assert producer.results("write_entry")[-1] in PENDING

    producer.switch(False)

    wait_until("write_entry ran", lambda: "wrote w" in lines(notes), worker=worker)
    wait_until(
        "nothing pending",
        lambda: not PENDING & set(producer.results("write_entry")),
        worker=worker,
    )
    assert lines(notes) == ["entries 0", "wrote w"]
    assert producer.ask("entries") == 1
    assert "FAILED" not in producer.results("write_entry")
