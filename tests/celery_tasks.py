"""A Celery app of the unit tests (every task a ``MaintenanceAwareTask``, each writing or
reading the demo's guestbook, in its own way of coping with a database error), and how
the tests run its tasks as a worker does and read what was sent to its in-memory broker.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from celery import Celery
from celery.app.trace import build_tracer
from celery.result import AsyncResult
from django.db import DatabaseError

from demo.models import GuestbookEntry
from maintenance_panel.contrib.celery import MaintenanceAwareTask

QUEUE = "maintenance-panel-unit"

app = Celery(
    "maintenance_panel_unit",
    broker="memory://",
    backend="cache+memory://",
    task_cls=MaintenanceAwareTask,
    set_as_current=False,
)


@app.task(name="guestbook.write")
def write(name: str, message: str = "hello") -> str:
    GuestbookEntry.objects.create(name=name, message=message)
    return name


@app.task(name="guestbook.count")
def count() -> int:
    return GuestbookEntry.objects.count()


@app.task(name="guestbook.write_once", max_retries=0)
def write_once(name: str) -> str:
    GuestbookEntry.objects.create(name=name, message="once")
    return name


@app.task(name="guestbook.careful", bind=True, max_retries=0)
def careful(self: Any, name: str) -> str:
    try:
        GuestbookEntry.objects.create(name=name, message="careful")
    except DatabaseError as exc:
        raise self.retry(exc=exc, countdown=5) from exc
    return name


@app.task(name="guestbook.carry_on")
def carry_on(name: str) -> str:
    try:
        GuestbookEntry.objects.create(name=name, message="carry on")
    except DatabaseError:
        return "carried on without writing"
    return name


@app.task(name="guestbook.auto", autoretry_for=(DatabaseError,), max_retries=0)
def auto(name: str) -> str:
    GuestbookEntry.objects.create(name=name, message="auto")
    return name


@app.task(name="guestbook.flaky", bind=True, max_retries=3)
def flaky(self: Any) -> None:
    raise self.retry(countdown=5)


@app.task(name="guestbook.broken")
def broken() -> None:
    GuestbookEntry.objects.count()
    raise ValueError("broken after a read")


def run_as_worker(task: Any, *args: Any, retries: int = 0, **request: Any) -> AsyncResult:
    """Run ``task`` as a worker runs a message of it (Celery's tracer, not eager), and
    return its result as the backend stores it."""
    task_id = str(uuid.uuid4())
    message = {
        "id": task_id,
        "retries": retries,
        "delivery_info": {"exchange": "", "routing_key": QUEUE},
        "hostname": "celery@test",
        **request,
    }
    tracer = build_tracer(task.name, task, app=app, eager=False, propagate=False)
    tracer(task_id, list(args), {}, message)
    return app.AsyncResult(task_id)


def sent() -> list[tuple[dict[str, Any], Any]]:
    """The messages sent to the queue since the last call: (headers, (args, kwargs,
    embed))."""
    found = []
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(QUEUE)
        try:
            while True:
                try:
                    message = queue.get_nowait()
                except queue.Empty:
                    break
                found.append((message.headers, message.decode()))
                message.ack()
        finally:
            queue.close()
    return found


def eta(headers: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(headers["eta"])
