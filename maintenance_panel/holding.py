"""Running a management command as background work: held, guarded, or run as usual.

``maintenance_mode exec NAME`` and the ``held_during_maintenance`` decorator (on a
command's ``handle``) both call :func:`run_unless_held`. Whether work is held is
:mod:`maintenance_panel.work`'s question, answered from this process's snapshot:

- held (full maintenance of the whole site, the name not exempt): the command does not
  run; one line says why and until when, on stderr, and the process exits with status
  75 (``EX_TEMPFAIL``: cron wrappers and systemd read it as "try later");
- read-only maintenance of the whole site: the command runs under the write guard
  (:class:`~maintenance_panel.guard.WriteGuard`), installed before it starts, so every
  database write it tries in this thread is refused before it reaches the database:
  nothing is ever half-written. Once a write was refused the command ends with one
  line and status 75, whatever it made of the refusal;
- otherwise it runs as usual.

Each held or stopped command is counted (:mod:`maintenance_panel.fleet.held`).
:func:`run_guarded` is the read-only part on its own, for the task integrations.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

from maintenance_panel import state, wording, work
from maintenance_panel.fleet import held
from maintenance_panel.guard import WriteGuard, WriteRefused

#: The exit status of held work: ``EX_TEMPFAIL`` from ``sysexits.h``, "try again later".
EX_TEMPFAIL = 75
#: How long a command about to exit waits for its count to reach the cache (seconds).
COUNT_DELAY = 1.0

Result = TypeVar("Result")

#: Set while ``exec --even-in-maintenance`` runs a command: its own decorator lets it run.
_run_anyway: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "maintenance_panel_run_anyway", default=False
)


def _exit(stderr: Any, line: str, name: str) -> NoReturn:
    stderr.write(line)
    held.record_held(name)
    held.drain(COUNT_DELAY)
    raise SystemExit(EX_TEMPFAIL)


def run_unless_held(
    name: str, run: Callable[[], Result], *, stderr: Any, even_in_maintenance: bool = False
) -> Result:
    """``run()``, unless work called ``name`` is held (then exit with status 75 after one
    line on ``stderr``); under read-only maintenance, under the write guard.
    ``even_in_maintenance``: run it as usual whatever the state."""
    if even_in_maintenance or _run_anyway.get():
        token = _run_anyway.set(True)
        try:
            return run()
        finally:
            _run_anyway.reset(token)
    found = work.work_state(state.active_snapshot(), name)
    if found.held:
        _exit(stderr, wording.held_line(found), name)
    if not found.guarded:
        return run()
    refused, result = run_guarded(run)
    if refused is not None:
        _exit(stderr, wording.refused_line(found), name)
    return cast(Result, result)


def run_guarded(run: Callable[[], Result]) -> tuple[WriteRefused | None, Result | None]:
    """``run()`` under the write guard: (None, its result), or (the first write the guard
    refused, None) once a write was refused, whatever ``run`` made of the refusal."""
    guard = WriteGuard()
    try:
        with guard:
            result = run()
    except SystemExit:
        if guard.refused is None:
            raise
    # The work may turn the refusal into an error of its own (a CommandError, say):
    # once a write was refused, that error is the refusal's, and the refusal is told.
    except Exception:
        if guard.refused is None:
            raise
    if guard.refused is not None:
        return guard.refused, None
    return None, result
