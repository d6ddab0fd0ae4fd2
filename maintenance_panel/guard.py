"""The write guard: while read-only maintenance is in force, a held-back request's
database writes are stopped before they reach the database.

The middleware installs a :class:`WriteGuard` as a Django execute wrapper
(``connection.execute_wrappers``, see ``connection.execute_wrapper()``) on every database
alias of the thread that runs the
view (for an async view: the thread its ORM calls run in), and removes it when the
response is made. Each statement is classified by its first keyword; a write raises
:class:`WriteRefused` instead of being sent, so the enclosing transaction (an explicit
``atomic`` block or ``ATOMIC_REQUESTS``) rolls back as for any exception and nothing is
half-written.

What counts as a write:

- ``INSERT``, ``UPDATE``, ``DELETE``, ``REPLACE``, ``MERGE``, ``UPSERT``, DDL
  (``CREATE``, ``ALTER``, ``DROP``, ``TRUNCATE``, ``RENAME``, ``COMMENT``), privileges
  (``GRANT``, ``REVOKE``), bulk loads (``COPY``, ``LOAD``, ``IMPORT``), maintenance
  (``VACUUM``, ``REINDEX``, ``CLUSTER``, ``REFRESH``, ``ANALYZE``), ``LOCK``, ``CALL``
  and ``DO`` (a procedure may write: it cannot be told), ``ATTACH`` and ``DETACH``;
- ``WITH ...`` when it contains ``INSERT``, ``UPDATE``, ``DELETE`` or ``MERGE``
  (PostgreSQL's data-modifying common table expressions);
- ``SELECT ... FOR UPDATE`` / ``FOR NO KEY UPDATE`` / ``FOR SHARE`` / ``FOR KEY SHARE``:
  row locks write nothing, but they are taken to write next, they fail on a read-only
  replica as a write would, and locks held during a fail-over are what the operator
  wants to avoid.

Let through: everything else, notably ``SELECT``, ``VALUES``, ``SHOW``, ``EXPLAIN``,
transaction control (``BEGIN``, ``COMMIT``, ``ROLLBACK``, ``SAVEPOINT``, ``RELEASE``:
without them the rollback that keeps a transaction whole could not happen) and session
settings (``SET``, ``RESET``, ``PRAGMA``), which change no data.
"""

from __future__ import annotations

import contextvars
import re
from typing import Any

from django.db import DatabaseError, connections

#: First keywords of the statements that write (see the module docstring).
WRITE_KEYWORDS = frozenset(
    {
        "INSERT",
        "UPDATE",
        "DELETE",
        "REPLACE",
        "MERGE",
        "UPSERT",
        "CREATE",
        "ALTER",
        "DROP",
        "TRUNCATE",
        "RENAME",
        "COMMENT",
        "GRANT",
        "REVOKE",
        "COPY",
        "LOAD",
        "IMPORT",
        "VACUUM",
        "REINDEX",
        "CLUSTER",
        "REFRESH",
        "ANALYZE",
        "LOCK",
        "CALL",
        "DO",
        "ATTACH",
        "DETACH",
    }
)

_KEYWORD = re.compile(r"[A-Za-z]+")
_DATA_MODIFYING = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_ROW_LOCK = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.IGNORECASE)


def _skip_leading(sql: str) -> str:
    """``sql`` without leading blanks, comments and opening parentheses (linear)."""
    text = sql.lstrip()
    while True:
        if text.startswith("--"):
            end = text.find("\n")
            text = "" if end < 0 else text[end + 1 :].lstrip()
        elif text.startswith("/*"):
            end = text.find("*/")
            text = "" if end < 0 else text[end + 2 :].lstrip()
        elif text.startswith("("):
            text = text[1:].lstrip()
        else:
            return text


def statement_keyword(sql: str) -> str:
    """The first keyword of ``sql``, upper-cased ("" when there is none)."""
    match = _KEYWORD.match(sql)  # Django's own SQL starts with its keyword
    if match is None:
        match = _KEYWORD.match(_skip_leading(sql))
        if match is None:
            return ""
    return match.group().upper()


def _locks_rows(sql: str) -> bool:
    # The substring test first: a plain SELECT is the common case, and far cheaper to
    # rule out this way than with the regular expression.
    return ("FOR" in sql or "for" in sql or "For" in sql) and _ROW_LOCK.search(sql) is not None


def is_write(sql: str) -> bool:
    """Whether statement ``sql`` writes (or locks rows to write), by its first keyword."""
    if sql.startswith("SELECT "):  # most of Django's own statements
        return _locks_rows(sql)
    keyword = statement_keyword(sql)
    if keyword in WRITE_KEYWORDS:
        return True
    if keyword == "SELECT":
        return _locks_rows(sql)
    if keyword == "WITH":
        return _DATA_MODIFYING.search(sql) is not None or _locks_rows(sql)
    return False


class WriteRefused(DatabaseError):
    """A database write stopped by the write guard during read-only maintenance.

    A ``DatabaseError``, as a read-only database would raise: code that already copes
    with one (a view counter that carries on without counting) copes with this too.
    """

    def __init__(self, sql: str, alias: str) -> None:
        super().__init__(f"Writes are paused for read-only maintenance (database {alias!r}).")
        self.sql = sql
        self.alias = alias


#: The guard of the request being handled in this context: a guard left on a
#: connection that another request shares (one thread serving several async requests)
#: stops only its own request's writes.
_active: contextvars.ContextVar[WriteGuard | None] = contextvars.ContextVar(
    "maintenance_panel_write_guard", default=None
)


class WriteGuard:
    """Refuses database writes of one request on every database alias while installed.

    :meth:`activate` (in the request's context) and :meth:`attach` (in the thread that
    runs the request's queries) turn it on; :meth:`detach` and :meth:`deactivate` off.
    As a context manager it does both in the current thread.
    """

    __slots__ = ("_attached", "_refused_on", "_token", "refused")

    def __init__(self) -> None:
        #: The first write refused, if any.
        self.refused: WriteRefused | None = None
        #: (connection, its transaction as found: in an atomic block, marked broken).
        self._attached: list[tuple[Any, tuple[bool, bool]]] = []
        self._refused_on: set[str] = set()
        self._token: contextvars.Token[WriteGuard | None] | None = None

    def __call__(
        self, execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        if _active.get() is self and is_write(sql):
            alias = context["connection"].alias
            error = WriteRefused(sql, alias)
            if self.refused is None:
                self.refused = error
            self._refused_on.add(alias)
            raise error
        return execute(sql, params, many, context)

    def activate(self) -> None:
        """Make this the guard of the current context (the request's)."""
        self._token = _active.set(self)

    def deactivate(self) -> None:
        """Undo :meth:`activate`."""
        if self._token is not None:
            try:
                _active.reset(self._token)
            except ValueError:  # reset from a copy of the context: clear it instead
                _active.set(None)
            self._token = None

    def attach(self) -> None:
        """Install the guard on every database alias of the current thread.

        It goes on ``connection.execute_wrappers``, the list that Django's
        ``connection.execute_wrapper()`` context manager manages, directly rather than
        through that generator-based context manager: the same effect, at a fraction
        of the cost on every guarded request (see ``bench/readonly.py``).
        """
        for connection in connections.all():
            connection.execute_wrappers.append(self)
            found = (connection.in_atomic_block, connection.needs_rollback)
            self._attached.append((connection, found))

    def detach(self) -> None:
        """Remove the guard from the connections :meth:`attach` installed it on."""
        while self._attached:
            connection, found = self._attached.pop()
            # remove(), not pop(): a wrapper the view added and left would stay on top.
            connection.execute_wrappers.remove(self)
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
