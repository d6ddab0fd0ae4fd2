"""Celery tasks during maintenance: :class:`MaintenanceAwareTask`.

Use it as the app's task class (``Celery(..., task_cls=...)``) or as one task's base
(``@app.task(base=MaintenanceAwareTask)``). Each time the worker starts such a task it
asks :mod:`maintenance_panel.work` about the task's name, from this process's snapshot
of the state (no query while the snapshot is fresh):

- held (full maintenance of the whole site, the name not exempt): the task's body does
  not run. A copy of its message is sent again with the same task id, arguments,
  options, chain, callbacks and ``retries`` count, to run after the delay rule's seconds
  (:func:`maintenance_panel.work.retry_delay`), and the task ends in Celery's ``RETRY``
  state with :class:`TaskHeld` as the reason. The task's own ``max_retries`` is not
  used up: being held is not one of its retries;
- read-only maintenance of the whole site: the body runs under the write guard
  (:class:`~maintenance_panel.guard.WriteGuard`), so every database write it tries is
  refused before it reaches the database. Once a write was refused, whatever the body
  made of the refusal (an error, a ``self.retry()``, carrying on), the task is held as
  above: nothing of it was written, and it runs again after the delay;
- otherwise (maintenance off, scoped, or the name exempt) it runs as usual.

Each held task is counted per name (:mod:`maintenance_panel.fleet.held`). Outside a
worker no copy can be sent: a task called directly raises :class:`TaskHeld`, one run
eagerly (``apply()``, ``task_always_eager``) ends in the ``RETRY`` state without running.
"""

from __future__ import annotations

import contextvars
from types import ModuleType
from typing import Any, NoReturn

from celery import Task
from celery.exceptions import Retry

from maintenance_panel import work
from maintenance_panel.fleet import held
from maintenance_panel.guard import WriteGuard

__all__ = ["MaintenanceAwareTask", "TaskHeld"]

#: A guarded run of a task: its guard, and what maintenance means for the task.
Guarded = tuple[WriteGuard, work.WorkState]

#: The guarded run of a task in this context, if any.
_guarded: contextvars.ContextVar[Guarded | None] = contextvars.ContextVar(
    "maintenance_panel_celery_guarded", default=None
)


#: :mod:`maintenance_panel.state`, once imported (:func:`_active_snapshot`).
_state: ModuleType | None = None


def _active_snapshot() -> Any:
    """``state.active_snapshot()``: this process's snapshot while maintenance is on."""
    global _state
    if _state is None:
        # Imported on first use, not with this module: a project's Celery app module
        # names this class before Django's apps are ready, and the state reads models.
        from maintenance_panel import state

        _state = state
    return _state.active_snapshot()


def _wording() -> ModuleType:
    # Loaded when a task is held, for the reason Celery logs (see _active_snapshot).
    from maintenance_panel import wording

    return wording


class TaskHeld(Exception):
    """Why a task did not run now, in one line: held during maintenance, or stopped at a
    write the guard refused. The reason of the task's retry (``AsyncResult.info`` while
    it waits, the ``exc`` given to ``on_retry``); raised to code that calls a held task
    directly, outside a worker."""


class MaintenanceAwareTask(Task):
    """A Celery task that does not run while work of its name is held, and runs under
    the write guard during read-only maintenance (see the module's description)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        snapshot = _active_snapshot()
        if snapshot is None:  # maintenance off: the cost of one snapshot lookup
            return self._run(args, kwargs)
        found = work.work_state(snapshot, self.name)
        if found.held:
            delay = found.retry_delay()
            self._hold(_wording().task_held_line(found, delay), delay)
        if not found.guarded:
            return self._run(args, kwargs)
        return self._call_guarded(found, args, kwargs)

    def _run(self, args: Any, kwargs: Any) -> Any:
        if self.request.called_directly:
            return super().__call__(*args, **kwargs)
        # Run by a worker (or apply()): Celery has made this the current task and pushed
        # its request already, as it does for a task class without a __call__ of its
        # own, whose run() it calls; Task.__call__ would push a copy of the request.
        return self.run(*args, **kwargs)

    def _call_guarded(self, found: work.WorkState, args: Any, kwargs: Any) -> Any:
        guard = WriteGuard()
        token = _guarded.set((guard, found))
        try:
            with guard:
                result = self._run(args, kwargs)
        except (Retry, TaskHeld):
            # Held already (the body retried after a refusal), or a retry the body sent.
            raise
        # The body may turn the refusal into an error of its own: once a write was
        # refused, that error is the refusal's, and the task is held.
        except Exception:
            if guard.refused is None:
                raise
        finally:
            _guarded.reset(token)
        if guard.refused is not None:
            self._hold_refused(found)
        return result

    def _hold_refused(self, found: work.WorkState) -> NoReturn:
        delay = found.retry_delay()
        self._hold(_wording().task_refused_line(found, delay), delay)

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        """Celery's ``retry``; after a write refused under read-only maintenance (the
        body's own ``self.retry()``, or ``autoretry_for`` catching the refusal), the
        task is held instead, so that its ``max_retries`` is not used up."""
        guarded = _guarded.get()
        if guarded is not None and guarded[0].refused is not None:
            self._hold_refused(guarded[1])
        return super().retry(*args, **kwargs)

    def _hold(self, line: str, delay: int) -> NoReturn:
        """Send the task again in ``delay`` seconds as it came, and end this run."""
        held.record_held(self.name)
        reason = TaskHeld(line)
        request = self.request
        if request.called_directly:
            raise reason
        if request.is_eager:  # apply() would run a copy at once, again and again
            raise Retry(line, exc=reason, when=delay, is_eager=True)
        # Same id, arguments, options, chain and callbacks, and the same ``retries``.
        again = self.signature_from_request(request, countdown=delay)
        again.apply_async()
        raise Retry(line, exc=reason, when=delay, sig=again)
