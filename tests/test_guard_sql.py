"""The write guard against disguised writes, property-based: every variant of a real
write (comments, blanks, letter cases, literals and separators around it, as each
database's lexer accepts them) is refused, and every disguised read passes.

The classifier is tested for both dialects here, without a database. On the test
database (SQLite by default; PostgreSQL with ``DATABASE_URL=postgres://...``, as CI's
second pass runs the suite) each variant is also run: without the guard it writes (so
the disguise is a real write on that database), under the guard it is refused and
nothing is written.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.models import GuestbookEntry
from maintenance_panel.guard import WriteGuard, WriteRefused
from maintenance_panel.statements import MYSQL, POSTGRESQL, SQLITE, UNKNOWN, dialect_of, is_write
from tests.sql_variants import COPY, Write, reads, writes

VENDORS = ["postgresql", "sqlite"]
ON_THE_DATABASE = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
needs_postgresql_or_sqlite = pytest.mark.skipif(
    connection.vendor not in VENDORS,
    reason=f"variants are written for {VENDORS}, the test database is {connection.vendor}",
)


@pytest.mark.parametrize("vendor", VENDORS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_disguised_write_is_a_write(vendor, data):
    write, sql = data.draw(writes(vendor))
    assert is_write(sql, dialect_of(vendor)), (write.name, sql)
    assert is_write(sql, UNKNOWN), (write.name, sql)  # a database it does not know


@pytest.mark.parametrize("vendor", VENDORS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_disguised_read_is_a_read(vendor, data):
    sql = data.draw(reads(vendor))
    assert not is_write(sql, dialect_of(vendor)), sql


_SQL_PIECES = st.sampled_from(
    [
        "SELECT ",
        "DELETE ",
        "INTO ",
        "FOR ",
        "PRAGMA ",
        "SET ",
        "WITH ",
        " ",
        "\n",
        "\r",
        "'",
        '"',
        "`",
        "[",
        "]",
        "$",
        "$q$",
        "$1",
        "E'",
        "\\",
        ";",
        "--",
        "-",
        "/*",
        "*/",
        "#",
        "@",
        ":",
        "(",
        ")",
        "a",
        "1",
        "\x00",
        "é",
        "€",
    ]
)


@pytest.mark.parametrize("dialect", [POSTGRESQL, SQLITE, MYSQL, UNKNOWN])
@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_SQL_PIECES, max_size=20))
def test_any_text_is_classified_without_an_error(dialect, pieces):
    # A classifier that raised would turn every query of a guarded request into a 500.
    assert is_write("".join(pieces), dialect) in (True, False)


# -- on the test database --------------------------------------------------------------


@pytest.fixture
def entries(db):
    GuestbookEntry.objects.create(name="first", message="kept")
    GuestbookEntry.objects.create(name="second", message="kept")


def stored() -> tuple[list[tuple[str, str]], bool]:
    """What the database holds: the entries, and whether the copy table exists."""
    rows = list(GuestbookEntry.objects.order_by("pk").values_list("name", "message"))
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return rows, COPY in {table.lower() for table in tables}


class Undo(Exception):
    """Rolls the atomic block it leaves back."""


def run_unguarded(write: Write, sql: str) -> None:
    """Run ``sql`` without the guard and undo it: it must have written."""
    before = stored()
    with pytest.raises(Undo), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
        assert stored() != before, f"{write.name}: {sql!r} wrote nothing without the guard"
        raise Undo
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")  # prepared statements outlive a rollback


@needs_postgresql_or_sqlite
@ON_THE_DATABASE
@given(data=writes(connection.vendor))
def test_no_disguised_write_reaches_the_database(entries, data):
    write, sql = data
    before = stored()
    with WriteGuard() as guard, connection.cursor() as cursor, pytest.raises(WriteRefused):
        cursor.execute(sql)
    assert guard.refused is not None
    assert stored() == before
    if write.runs:
        run_unguarded(write, sql)
    assert stored() == before


@needs_postgresql_or_sqlite
@ON_THE_DATABASE
@given(sql=reads(connection.vendor))
def test_disguised_reads_run_under_the_guard(entries, sql):
    with WriteGuard() as guard, connection.cursor() as cursor:
        cursor.execute(sql)
        assert cursor.fetchall() == [(2,)]
    assert guard.refused is None
