"""The write guard: which statements it stops, and that what it stops is not written."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, connections, transaction

from demo.models import GuestbookEntry
from maintenance_panel.guard import WriteGuard, WriteRefused, refuse_writes
from maintenance_panel.statements import MYSQL, POSTGRESQL, SQLITE, UNKNOWN, is_write


@pytest.mark.parametrize(
    "sql",
    [
        'INSERT INTO "t" ("a") VALUES (%s)',
        "update t set a = 1",
        "DELETE FROM t",
        "REPLACE INTO t VALUES (1)",
        "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
        "CREATE TABLE t (a int)",
        "ALTER TABLE t ADD COLUMN b int",
        "DROP TABLE t",
        "TRUNCATE t",
        "  \n -- a comment\n INSERT INTO t VALUES (1)",
        "/* a comment */ DELETE FROM t",
        "(INSERT INTO t VALUES (1))",
        "WITH moved AS (DELETE FROM t RETURNING *) SELECT * FROM moved",
        "with x as (select 1) insert into t select * from x",
        'SELECT "t"."a" FROM "t" WHERE "t"."id" = %s FOR UPDATE',
        "SELECT a FROM t FOR NO KEY UPDATE",
        "select a from t for share",
        "SELECT a FROM t FOR KEY SHARE SKIP LOCKED",
        "LOCK TABLE t",
        "VACUUM",
        "CALL do_something()",
        "COPY t FROM STDIN",
    ],
)
def test_writes(sql):
    assert is_write(sql, POSTGRESQL)
    assert is_write(sql, SQLITE)
    assert is_write(sql)


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "t"."a" FROM "t"',
        "select count(*) from t where note = 'INSERT INTO'",
        "WITH x AS (SELECT 1) SELECT * FROM x",
        "SAVEPOINT s1",
        'RELEASE SAVEPOINT "s1"',
        'ROLLBACK TO SAVEPOINT "s1"',
        "BEGIN",
        "COMMIT",
        "SET TIME ZONE 'UTC'",
        "PRAGMA foreign_keys",
        "SELECT set_config('TimeZone', %s, false)",  # PostgreSQL's time zone
        "SET CONSTRAINTS ALL IMMEDIATE",
        'EXPLAIN (FORMAT JSON) SELECT "t"."a" FROM "t"',  # QuerySet.explain()
        '(SELECT "a" FROM "t") UNION (SELECT "a" FROM "u")',
        "SHOW server_version",
        "EXPLAIN SELECT 1",
        "VALUES (1)",
        "SELECT a FROM t WHERE last_update > %s",
        "",
        "   ",
        "-- only a comment",
    ],
)
def test_reads_and_transaction_control(sql):
    assert not is_write(sql, POSTGRESQL)
    assert not is_write(sql, SQLITE)


def test_leading_comments_and_parentheses_are_skipped():
    assert not is_write("  /* x */ -- y\n ( select 1)", POSTGRESQL)
    assert is_write("123", POSTGRESQL)


@pytest.mark.django_db
def test_guard_stops_a_write_before_the_database():
    with WriteGuard() as guard, pytest.raises(WriteRefused) as refused:
        GuestbookEntry.objects.create(name="a", message="b")
    assert isinstance(refused.value, DatabaseError)
    assert refused.value.alias == "default"
    assert guard.refused is refused.value
    assert not GuestbookEntry.objects.exists()


@pytest.mark.django_db
def test_guard_lets_reads_through():
    GuestbookEntry.objects.create(name="a", message="b")
    with WriteGuard() as guard:
        assert GuestbookEntry.objects.count() == 1
        assert list(GuestbookEntry.objects.values_list("name", flat=True)) == ["a"]
    assert guard.refused is None


@pytest.mark.django_db
def test_interrupted_transaction_is_rolled_back_whole():
    guard = WriteGuard()
    with pytest.raises(WriteRefused), transaction.atomic():
        GuestbookEntry.objects.create(name="first", message="written before the guard")
        with guard:
            GuestbookEntry.objects.create(name="second", message="refused")
    assert not GuestbookEntry.objects.exists()


@pytest.mark.django_db
def test_transaction_open_before_the_guard_stays_usable():
    with WriteGuard(), pytest.raises(WriteRefused):
        GuestbookEntry.objects.create(name="a", message="b")
    # Django marked the test's transaction broken; nothing reached the database.
    assert not connection.needs_rollback
    assert GuestbookEntry.objects.count() == 0


@pytest.mark.django_db
def test_every_connection_carries_the_wrapper_and_it_stops_nothing_without_a_guard():
    with WriteGuard():
        pass
    assert all(refuse_writes in conn.execute_wrappers for conn in connections.all())
    GuestbookEntry.objects.create(name="after", message="the guard")
    assert GuestbookEntry.objects.count() == 1


@pytest.mark.django_db
def test_guard_stops_only_its_own_context():
    import contextvars

    guard = WriteGuard()
    guard.attach()  # on this thread's connections, but active in no context
    try:
        GuestbookEntry.objects.create(name="another", message="request's write")
        contextvars.copy_context().run(guard.activate)  # active elsewhere only
        GuestbookEntry.objects.create(name="still", message="not this one's")
    finally:
        guard.detach()
    assert GuestbookEntry.objects.count() == 2


# -- disguises: each database's own reading, and what is ambiguous ---------------------

POSTGRESQL_WRITES = [
    "/* a /* nested */ comment */ DELETE FROM t",
    "SELECT 1 /* a /* nested */ ; */; DELETE FROM t",
    "SELECT $$ ' $$; DELETE FROM t; --'",
    "SELECT $a$x$a$$b$'$b$; DELETE FROM t; --'",  # two dollar strings, then a write
    "SELECT 1$a$'$a$; DELETE FROM t; --'",  # ambiguous: "1$a$..." is read two ways
    "SELECT E'\\''; DELETE FROM t; --'",  # the backslash escapes the quote
    "SELECT '\\''; DELETE FROM t; --'",  # it may, with standard_conforming_strings off
    "SELECT 1 --x\r; DELETE FROM t",  # PostgreSQL ends a line comment at \r
    "SELECT * INTO copy FROM t",
    "PREPARE p AS DELETE FROM t",
    "EXECUTE p",
    "EXPLAIN (ANALYZE) DELETE FROM t",
    "RESET ALL; DELETE FROM t",
    "START REPLICA",
    "SET PASSWORD = 'x'",
    "SET GLOBAL read_only = 0",
    "SELECT a fOr UpDaTe",
    "DISCARD ALL",
    "LISTEN x",
]
SQLITE_WRITES = [
    "SELECT [';]; DELETE FROM t; --'",  # [...] quotes a name on SQLite
    "SELECT `';`; DELETE FROM t; --'",
    "SELECT $a(') ; DELETE FROM t; --'",  # Tcl-style parameter: ambiguous
    "PRAGMA foreign_keys = OFF",
    "PRAGMA user_version(3)",
    "PRAGMA optimize",
    "PRAGMA main.journal_mode = WAL",
]


@pytest.mark.parametrize("sql", POSTGRESQL_WRITES)
def test_postgresql_disguises(sql):
    assert is_write(sql, POSTGRESQL)


@pytest.mark.parametrize("sql", SQLITE_WRITES)
def test_sqlite_disguises(sql):
    assert is_write(sql, SQLITE)


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("/* a /* nested */ comment */ SELECT 1", POSTGRESQL),
        ("SELECT $$ ; DELETE $$", POSTGRESQL),
        ("SELECT $q$ ' ; UPDATE $q$, $1, a$b FROM t", POSTGRESQL),
        ('SELECT ("data" #> %s) FROM t', POSTGRESQL),  # JSONField's path operator
        ("RESET ALL", POSTGRESQL),
        ("START TRANSACTION", POSTGRESQL),
        ("SELECT 1 --x\r\n", SQLITE),
        ("SELECT 'a\\'", SQLITE),  # SQLite never escapes with a backslash
        ("SELECT a FROM t WHERE b LIKE %s ESCAPE '\\'", SQLITE),  # Django's own
        ("SELECT [x;y] FROM t", SQLITE),
        ("PRAGMA table_info('t')", SQLITE),
        ("PRAGMA main.foreign_keys", SQLITE),
        ('SELECT "updated_at", "update" FROM "t" WHERE "into" = %s', SQLITE),
        ("SELECT 1;  -- the end", SQLITE),
    ],
)
def test_reads_in_each_dialect(sql, dialect):
    assert not is_write(sql, dialect)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 # ' \n; DELETE FROM t; -- '",  # "#" comments on MySQL
        "SELECT 1 --x; DELETE FROM t",  # "--x" is no comment on MySQL
        "/*!50000 DELETE FROM t */",  # MySQL runs it
        "SELECT '\\''; DELETE FROM t; --'",
        "SELECT /* a /* b */ 1 */ ; DELETE FROM t --",  # nested on some databases only
        "RESET MASTER",
    ],
)
def test_mysql_and_unknown_databases_are_read_conservatively(sql):
    assert is_write(sql, MYSQL)
    assert is_write(sql, UNKNOWN)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 DROP TABLE t",  # SQL Server runs both
        "SELECT 1 EXEC sp_delete",
        "SELECT [name] FROM [t]",  # its own quoting: refused, not understood
    ],
)
def test_a_database_it_does_not_know_is_read_conservatively(sql):
    assert is_write(sql, UNKNOWN)


def test_one_select_is_a_read_however_its_comments_nest():
    # No ";": one statement, whatever its comments hide; no word that makes it write.
    assert not is_write("SELECT /* a /* b */ 1", MYSQL)
    assert not is_write("SELECT /* a /* b */ 1", POSTGRESQL)


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        # (A lone SELECT without ";" is one statement that may only write with INTO
        # or a lock, however it is read: these start otherwise.)
        ("VALUES ('open", POSTGRESQL),
        ('VALUES ("open)', SQLITE),
        ("VALUES (1) /* open", SQLITE),
        ("VALUES (1) /* a /* b */", POSTGRESQL),  # the outer comment stays open
        ("SELECT 1 -- x\rDELETE FROM t", UNKNOWN),  # a lone \r: ambiguous
        ("SELECT q'[x]' FROM t", UNKNOWN),  # Oracle's quoting
        ("VALUES ($ 1)", POSTGRESQL),
        ("VALUES ($1a)", POSTGRESQL),
        ("SELECT 1; SELECT 2", POSTGRESQL),  # several statements, even reads
        ("SELECT 1; SELECT 2", SQLITE),
    ],
)
def test_what_cannot_be_read_exactly_is_a_write(sql, dialect):
    assert is_write(sql, dialect)


@pytest.mark.parametrize("sql", ["VALUES (@x)", "VALUES ($a::b)", "VALUES (:a)"])
def test_sqlite_parameters_are_reads(sql):
    assert not is_write(sql, SQLITE)


@pytest.mark.django_db
def test_the_first_refused_write_is_kept():
    with WriteGuard() as guard:
        with pytest.raises(WriteRefused) as first:
            GuestbookEntry.objects.create(name="a", message="b")
        with pytest.raises(WriteRefused):
            GuestbookEntry.objects.update(name="c")
    assert guard.refused is first.value


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('SELECT "before", "format", "information", "clock" FROM "t"', False),
        ("SELECT a FROM t LIMIT 1FOR UPDATE", True),  # older PostgreSQL: 1, FOR UPDATE
        ('SELECT "a"FOR UPDATE', True),
        ("SELECT a FROM t for\nshare", True),
        ("SELECT a FROM t LOCK IN SHARE MODE", True),
        ("SELECT a INTO b FROM t", True),
        ("SELECT $1FOR UPDATE", True),
    ],
)
def test_a_lone_select_writes_only_with_into_or_a_lock(sql, writes):
    assert is_write(sql, POSTGRESQL) is writes
    assert is_write(sql, MYSQL) is writes


@pytest.mark.django_db
def test_a_copy_of_the_context_that_outlives_the_request_is_not_guarded():
    import contextvars

    guard = WriteGuard()
    guard.activate()
    later = contextvars.copy_context()  # as a task the request started would hold
    guard.deactivate()
    later.run(GuestbookEntry.objects.create, name="later", message="after the request")
    assert GuestbookEntry.objects.count() == 1
