"""The write guard's life on one request.

During read-only maintenance the middleware guards the whole request it wraps: before
the request goes further (inner middleware, the view, or the project's ``handler404``
when no view matches) it installs a :class:`~maintenance_panel.guard.WriteGuard` unless
what it knows so far (the path, the client's address, the bypass cookie, the user)
already exempts the visitor. Once the view is known it decides again, and lifts the
guard for a visitor that turns out to be exempt (an admin page, a view decorated with
``force_maintenance_mode_off``). When the response is made the guard is removed.

A guard is activated in the request's own context: every query run in that context,
in whichever thread (``sync_to_async`` carries the context along), is checked by the
execute wrapper that every connection carries (:mod:`maintenance_panel.guard`). It is
attached in the thread that runs the request's queries (for an async request: the
thread its ORM calls run in), which notes the transactions open there. :func:`attach`
and :func:`activate` do the two halves, :func:`detach` and :func:`deactivate` undo
them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from maintenance_panel.guard import WriteGuard
from maintenance_panel.snapshot import Snapshot

#: The request attribute that holds its :class:`Guarded`.
ATTRIBUTE = "_maintenance_panel_guarded"


@dataclass
class Guarded:
    """A request's guard, and the state it was installed for (its read-only page)."""

    guard: WriteGuard
    snapshot: Snapshot
    active: bool = False


def guarded(request: HttpRequest) -> Guarded | None:
    """The request's guard, if one is installed."""
    found: Guarded | None = request.__dict__.get(ATTRIBUTE)
    return found


def attach(request: HttpRequest, snapshot: Snapshot) -> None:
    """Make the request's guard (once per request), noting the transactions of this
    thread's connections."""
    if ATTRIBUTE not in request.__dict__:
        guard = WriteGuard()
        guard.attach()
        request.__dict__[ATTRIBUTE] = Guarded(guard, snapshot)


def activate(request: HttpRequest) -> None:
    """Make the request's guard refuse writes, in the request's own context."""
    found = guarded(request)
    if found is not None and not found.active:
        found.guard.activate()
        found.active = True


def detach(request: HttpRequest) -> Guarded | None:
    """Forget the request's guard (in the thread it was attached in, whose
    transactions it set right); return it, or None when there was none."""
    found = request.__dict__.pop(ATTRIBUTE, None)
    if found is not None:
        found.guard.detach()
    return found


def deactivate(found: Guarded | None) -> None:
    """Undo :func:`activate` (in the request's own context)."""
    if found is not None and found.active:
        found.guard.deactivate()
        found.active = False
