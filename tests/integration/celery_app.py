"""The Celery app of the real-component tests' worker: every task a
``MaintenanceAwareTask``, each writing or reading the demo's guestbook."""

from __future__ import annotations

from celery import Celery

from maintenance_panel.contrib.celery import MaintenanceAwareTask

app = Celery("maintenance_panel_it", task_cls=MaintenanceAwareTask)
app.config_from_object("django.conf:settings", namespace="CELERY")


def _write(name: str, message: str) -> str:
    from demo.models import GuestbookEntry  # the models, once Django is set up

    GuestbookEntry.objects.create(name=name, message=message)
    return name


@app.task(name="it.write")
def write(name: str) -> str:
    """Leave one guestbook entry called ``name``."""
    return _write(name, "written by a task")


@app.task(name="it.write_once", max_retries=0)
def write_once(name: str) -> str:
    """The same, for a task that may not be retried."""
    return _write(name, "written by a task without retries")


@app.task(name="it.exempt")
def exempt(name: str) -> str:
    """The same, for a task the settings exempt."""
    return _write(name, "written by an exempt task")


@app.task(name="it.count")
def count() -> int:
    """How many guestbook entries there are (a read)."""
    from demo.models import GuestbookEntry

    return GuestbookEntry.objects.count()
