"""This machine, as the real-component tests see it: the checkout and its Python, the
loopback address, the ports of PostgreSQL and Redis, free ports for the servers, and
what happens when a component is missing (a skip, or with ``CI=true`` a failure)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
HOST = "127.0.0.1"
PG_PORT = int(os.environ.get("MAINTENANCE_PANEL_PG_PORT", "5432"))
REDIS_PORT = int(os.environ.get("MAINTENANCE_PANEL_REDIS_PORT", "6379"))
REDIS_DB = int(os.environ.get("MAINTENANCE_PANEL_REDIS_DB", "6"))


def unavailable(reason: str) -> NoReturn:
    """Skip (or, with ``CI=true``, fail) because a component is missing."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the real-component tests must run)", pytrace=False)
    pytest.skip(reason)


def reachable(port: int) -> bool:
    """Whether something listens on ``port`` of the loopback address."""
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A port of the loopback address that nothing listens on just now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def installed(name: str) -> Path:
    """The program ``name`` next to this Python (gunicorn, uvicorn); skips without it."""
    executable = BIN / name
    if not executable.exists():
        unavailable(f"{name} is not installed ({executable})")
    return executable
