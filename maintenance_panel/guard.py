"""The write guard: while read-only maintenance is in force, a held-back request's
database writes are stopped before they reach the database.

Every database connection carries one permanent execute wrapper, :func:`refuse_writes`
(on ``connection.execute_wrappers``, the list that ``connection.execute_wrapper()``
manages), put there by the ``connection_created`` receiver :func:`install` as each
connection opens, and by :meth:`WriteGuard.attach` on the connections of the thread
that attaches a guard (for connections opened before the app was ready). It asks a
context variable which :class:`WriteGuard` is active in the current context: none
(maintenance off, or an exempt visitor) costs that one lookup per query. While the
middleware has activated a request's guard, every statement that request runs is
classified (:mod:`maintenance_panel.statements`: an allow-list of reads) and a write
raises :class:`WriteRefused` instead of being sent, so the enclosing transaction (an
explicit ``atomic`` block or ``ATOMIC_REQUESTS``) rolls back as for any exception and
nothing is half-written.

Asking the context rather than the thread is what makes the guard cover the whole
request: ``sync_to_async`` runs a function in a copy of the caller's context, so the
queries of the thread Django runs ``handler404`` in under ASGI
(``thread_sensitive=False``) see the request's guard as its other queries do, and a
thread serving several async requests stops only the writes of the one whose guard is
active.
"""

from __future__ import annotations

import contextvars
from typing import Any

from django.db import DatabaseError, connections

from maintenance_panel.statements import dialect_of, is_write


class WriteRefused(DatabaseError):
    """A database write stopped by the write guard during read-only maintenance.

    A ``DatabaseError``, as a read-only database would raise: code that already copes
    with one (a view counter that carries on without counting) copes with this too.
    """

    def __init__(self, sql: str, alias: str) -> None:
        super().__init__(f"Writes are paused for read-only maintenance (database {alias!r}).")
        self.sql = sql
        self.alias = alias


#: The guard of the request being handled in this context: a thread that serves several
#: async requests stops only the writes of the one whose guard is active.
_active: contextvars.ContextVar[WriteGuard | None] = contextvars.ContextVar(
    "maintenance_panel_write_guard", default=None
)


def refuse_writes(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """The execute wrapper on every connection: a write of a context whose guard is
    active raises :class:`WriteRefused`; anything else is executed as usual."""
    guard = _active.get()
    if guard is not None and guard.on:
        connection = context["connection"]
        if is_write(sql, dialect_of(connection.vendor)):
            guard.refuse(sql, connection.alias)
    return execute(sql, params, many, context)


def install(connection: Any, **kwargs: Any) -> None:
    """Put :func:`refuse_writes` on ``connection`` (once): the ``connection_created``
    receiver, connected when the app is ready."""
    wrappers = connection.execute_wrappers
    if refuse_writes not in wrappers:
        # First in the list, the outermost: connection.execute_wrapper() appends its
        # wrapper and pops it again, which must not take this one off instead.
        wrappers.insert(0, refuse_writes)


class WriteGuard:
    """Refuses the database writes of one request, on every database alias, while it
    is active in the request's context.

    :meth:`activate` (in the request's context) turns it on, :meth:`deactivate` off.
    :meth:`attach` (in the thread that runs the request's queries) makes sure that
    thread's connections carry the wrapper and notes their transactions, so that
    :meth:`detach` can keep a transaction that was open before the request usable. As
    a context manager it does all four in the current thread.
    """

    __slots__ = ("_attached", "_refused_on", "_token", "on", "refused")

    def __init__(self) -> None:
        #: The first write refused, if any.
        self.refused: WriteRefused | None = None
        #: Between activate() and deactivate(): a copy of the request's context that
        #: outlives it (a task the request started) holds a guard that is off.
        self.on = False
        #: (connection, its transaction as found: in an atomic block, marked broken).
        self._attached: list[tuple[Any, tuple[bool, bool]]] = []
        self._refused_on: set[str] = set()
        self._token: contextvars.Token[WriteGuard | None] | None = None

    def refuse(self, sql: str, alias: str) -> None:
        """Raise :class:`WriteRefused` for statement ``sql`` on database ``alias``."""
        error = WriteRefused(sql, alias)
        if self.refused is None:
            self.refused = error
        self._refused_on.add(alias)
        raise error

    def activate(self) -> None:
        """Make this the guard of the current context (the request's)."""
        self._token = _active.set(self)
        self.on = True

    def deactivate(self) -> None:
        """Undo :meth:`activate`."""
        self.on = False
        if self._token is not None:
            try:
                _active.reset(self._token)
            except ValueError:  # reset from a copy of the context: clear it instead
                _active.set(None)
            self._token = None

    def attach(self) -> None:
        """Make sure every database alias of the current thread carries the wrapper,
        and note the transaction each is in."""
        for connection in connections.all():
            install(connection)
            found = (connection.in_atomic_block, connection.needs_rollback)
            self._attached.append((connection, found))

    def detach(self) -> None:
        """Forget the connections :meth:`attach` noted (the wrapper stays)."""
        while self._attached:
            connection, found = self._attached.pop()
            if found == (True, False) and connection.alias in self._refused_on:
                # A transaction that was open before the request (a test's, say) is
                # marked broken by Django when a write fails inside it, because it
                # cannot know what reached the database. A refused write reached
                # nothing: the transaction is intact, and stays usable.
                connection.needs_rollback = False

    def __enter__(self) -> WriteGuard:
        self.activate()
        self.attach()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.detach()
        self.deactivate()
