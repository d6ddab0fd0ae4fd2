"""Django's tasks framework during maintenance: a task started while work is held is
enqueued again for later instead of running.

Works with ``django.tasks`` (Django 6) and, where Django has none (5.2), with the
``django-tasks`` backport (imported as ``django_tasks``). Put
:func:`held_during_maintenance` above ``@task``: it takes the task ``@task`` made and
returns the same task (same function, backend, queue and priority) that asks, each time
a worker starts it, whether work called its *name* is held. The name is the task's
``module_path``: the module and the function's name (``shop.tasks.send_receipt``), as
stored by the backend; ``MAINTENANCE_MODE_IGNORE_TASKS`` and the admin's
``ignore_tasks`` match it. When a worker starts the task (``Task.call``):

- held (:func:`maintenance_panel.core.is_work_held`): the function does not run; the
  task is enqueued again with the same arguments, on the same backend and queue, with
  ``run_after`` set by the retry rule (:func:`maintenance_panel.work.retry_delay`), and
  counted as held (:mod:`maintenance_panel.fleet.held`). The run that was held ends
  successfully, returning None; the later run is a new result;
- read-only maintenance: the function runs under the write guard; once a write was
  refused, whatever the function made of the refusal, it is held the same way (nothing
  written, never a failed task);
- otherwise the function runs as usual.

A backend that cannot defer (``supports_defer`` False, such as the immediate backend,
which runs the task inside ``enqueue``) cannot hold it: enqueueing a held task there
raises :class:`WorkHeld`, naming the task and until when, instead of running it or
dropping it.

Without a tasks framework the module still imports (Celery's ``autodiscover_tasks()``
imports every app's ``tasks``); :func:`held_during_maintenance` then raises
``ImproperlyConfigured``, saying what to install.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from dataclasses import fields, replace
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from maintenance_panel import holding, state, wording, work
from maintenance_panel.fleet import held

try:
    from django.tasks import Task
except ImportError:  # Django 5.2: the backport, if installed
    try:
        from django_tasks.base import Task  # type: ignore[assignment,no-redef,import-not-found,unused-ignore]
    except ImportError:
        # The module still imports (Celery's autodiscover_tasks() imports every app's
        # "tasks"); the decorator says what to install.
        Task = None  # type: ignore[assignment,misc]

__all__ = ["FRAMEWORK", "WorkHeld", "held_during_maintenance"]

#: The tasks framework in use: ``"django.tasks"`` or ``"django_tasks"`` (the backport);
#: ``""`` without one.
FRAMEWORK = "" if Task is None else Task.__module__.rpartition(".")[0]
MISSING = (
    "maintenance_panel.tasks needs Django's tasks framework: Django 6, or on Django 5.2 the "
    "django-tasks package (pip install 'django-maintenance-control-panel[tasks]')."
)

logger = logging.getLogger("maintenance_panel")

#: Set while a task is enqueued on a backend that cannot defer (it runs the task inside
#: ``enqueue``): a held run puts its :class:`WorkHeld` here for ``enqueue`` to raise.
_not_deferred: contextvars.ContextVar[list[WorkHeld] | None] = contextvars.ContextVar(
    "maintenance_panel_not_deferred", default=None
)


class WorkHeld(Exception):
    """A held task enqueued on a backend that cannot defer it (``supports_defer`` is
    False): it was neither run nor enqueued. The message names the task and says until
    when the work is held."""

    def __init__(self, task: Any, found: work.WorkState, *, refused: bool = False) -> None:
        super().__init__(wording.task_not_deferred_line(found, task.backend, refused=refused))
        #: The task's name (its ``module_path``).
        self.name = found.name
        #: When the window ends (None: no end is set).
        self.ends_at = found.ends_at
        #: Seconds after which to try again.
        self.retry_after = found.retry_delay()


class HeldDuringMaintenance:
    """What :func:`held_during_maintenance` adds to a task class: ``call`` and ``acall``
    (how workers run a task) check first, ``enqueue`` and ``aenqueue`` raise
    :class:`WorkHeld` where the backend cannot defer."""

    __slots__ = ()

    def __reduce__(self: Any) -> tuple[Any, ...]:
        # By the task's path, as Django's own Task pickles: the class comes with it.
        values = {field.name: getattr(self, field.name) for field in fields(self) if field.init}
        del values["func"]
        return (_unpickle, (self.module_path, values))

    def _work_state(self: Any) -> work.WorkState:
        return work.work_state(state.active_snapshot(), self.module_path)

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        """Run the task's function, unless work is held (then enqueue it again)."""
        found = self._work_state()
        if found.held:
            return self._hold(found, args, kwargs, refused=False)
        run = super().call  # type: ignore[misc]
        if not found.guarded:
            return run(*args, **kwargs)
        refused, result = holding.run_guarded(lambda: run(*args, **kwargs))
        if refused is not None:
            return self._hold(found, args, kwargs, refused=True)
        return result

    async def acall(self: Any, *args: Any, **kwargs: Any) -> Any:
        """:meth:`call`, for a worker that awaits tasks."""
        snapshot = state.active_snapshot(io=False)
        if snapshot is state.STALE:  # re-validating reads the cache or the database
            snapshot = await sync_to_async(state.active_snapshot)()
        found = work.work_state(snapshot, self.module_path)
        if found.held or found.guarded:
            return await sync_to_async(self.call)(*args, **kwargs)
        return await super().acall(*args, **kwargs)  # type: ignore[misc]

    def _hold(self: Any, found: work.WorkState, args: Any, kwargs: Any, *, refused: bool) -> None:
        held.record_held(found.name)
        if self.takes_context:  # the backend passes the context again
            args = args[1:]
        if not self.get_backend().supports_defer:
            error = WorkHeld(self, found, refused=refused)
            pending = _not_deferred.get()
            if pending is None:
                raise error
            pending.append(error)
            return None
        run_after = timezone.now() + timedelta(seconds=found.retry_delay())
        again = self.using(run_after=run_after).enqueue(*args, **kwargs)
        logger.info(
            "maintenance_panel: task %s held; enqueued again as %s, to run after %s",
            found.name,
            again.id,
            run_after.isoformat(),
        )
        return None

    def enqueue(self: Any, *args: Any, **kwargs: Any) -> Any:
        """Enqueue the task; on a backend that cannot defer, raise :class:`WorkHeld`
        instead while work is held."""
        enqueue = super().enqueue  # type: ignore[misc]
        if self.get_backend().supports_defer:
            return enqueue(*args, **kwargs)
        found = self._work_state()
        if found.held:
            held.record_held(found.name)
            raise WorkHeld(self, found)
        pending: list[WorkHeld] = []
        token = _not_deferred.set(pending)
        try:
            result = enqueue(*args, **kwargs)
        finally:
            _not_deferred.reset(token)
        if pending:
            raise pending[0]
        return result

    async def aenqueue(self: Any, *args: Any, **kwargs: Any) -> Any:
        """:meth:`enqueue`, awaited."""
        if self.get_backend().supports_defer:
            return await super().aenqueue(*args, **kwargs)  # type: ignore[misc]
        return await sync_to_async(self.enqueue)(*args, **kwargs)


def _unpickle(path: str, values: dict[str, Any]) -> Any:
    """A held task unpickled: the task at ``path`` (the module's, held), with ``values``."""
    return replace(import_string(path), **values)


@functools.cache
def _held_class(task_class: type) -> type:
    """The held variant of ``task_class``: the framework's ``Task`` or a backend's own."""
    return type(
        f"Held{task_class.__name__}",
        (HeldDuringMaintenance, task_class),
        {"__slots__": (), "__module__": __name__},
    )


def held_during_maintenance(task: Any) -> Any:
    """Hold a task of Django's tasks framework during maintenance. Put it above ``@task``::

        @held_during_maintenance
        @task
        def send_receipt(order_id): ...

    Returns the same task, held while work called its ``module_path`` is held: a worker
    that starts it then enqueues it again, ``run_after`` the retry delay, instead of
    running it (see the module's docstring).
    """
    if Task is None:
        raise ImproperlyConfigured(MISSING)
    if isinstance(task, HeldDuringMaintenance):
        return task
    if not isinstance(task, Task):
        raise TypeError(
            "held_during_maintenance takes a task: put it above @task "
            f"(@held_during_maintenance, then @task, then the function), not {task!r}."
        )
    values = {field.name: getattr(task, field.name) for field in fields(task) if field.init}
    task_class: type = type(task)
    return _held_class(task_class)(**values)
