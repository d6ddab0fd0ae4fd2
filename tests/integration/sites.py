"""The demo site's data for a test: a PostgreSQL database of its own and a key prefix of
its own in Redis, the environment its processes run with, and how both are made and
removed (a database migrated once, copied for each test, dropped afterwards)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.integration.machine import HOST, PG_PORT, PYTHON, REDIS_DB, REDIS_PORT, ROOT

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow


@dataclass
class Site:
    """One demo deployment: its database and its slice of Redis."""

    database: str
    prefix: str

    def env(self, *, pg_port: int = PG_PORT, redis_port: int = REDIS_PORT) -> dict[str, str]:
        """Environment of a process of this site, reaching the services on these ports."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_", "CACHE_", "REDIS_", "PYTEST"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="demo.settings",
            DJANGO_DEBUG="0",
            DATABASE_URL=f"postgres://postgres@{HOST}:{pg_port}/{self.database}",
            CACHE_URL=f"redis://{HOST}:{redis_port}/{REDIS_DB}",
            CACHE_KEY_PREFIX=self.prefix,
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
        )
        return env


def admin_connection() -> psycopg.Connection[TupleRow]:
    """A connection to the ``postgres`` database, outside any transaction."""
    import psycopg

    return psycopg.connect(
        host=HOST,
        port=PG_PORT,
        user="postgres",
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


def create_database(name: str, template: str | None = None) -> None:
    """Create the database ``name``, a copy of ``template`` if given."""
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{name}"{copy}')


def drop_database(name: str) -> None:
    """Drop the database ``name`` (if there is one), closing its connections."""
    with admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(site: Site) -> None:
    """Apply the demo's migrations to the database of ``site`` (a Python process)."""
    result = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def forget_keys(prefix: str) -> None:
    """Delete the keys under ``prefix`` in Redis."""
    import redis

    client = redis.Redis(host=HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
