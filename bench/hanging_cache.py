"""Throughput under gunicorn with a healthy Redis against a cache that hangs.

Run from the repository root::

    .venv/bin/python bench/hanging_cache.py [--seconds 3] [--rounds 1] [--redis URL]

Starts two gunicorn servers (2 sync workers each, TTL 1 s, maintenance off) on free
ports of 127.0.0.1, both serving ``bench/site.py``'s page from one migrated SQLite file
with Django's RedisCache as the shared cache: one reaching the Redis at ``--redis``
(default ``redis://127.0.0.1:6379/0``, keys under a prefix of their own, removed
afterwards), one reaching a server of this script that accepts connections and never
answers (redis-py's socket timeout is 5 s). Each round starts both afresh, so every
hanging-cache process starts its back-off from the beginning, and loads them in the
order A B B A, ``--seconds`` each; printed are requests per second, the slowest answer
(with ``wrk``) and the ratio, hanging over healthy.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import uuid
from contextlib import AbstractContextManager, ExitStack, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.http_load import (  # noqa: E402
    HOST,
    PYTHON,
    Server,
    free_port,
    load_with_python,
    migrate,
    serving,
    site_env,
    status_of,
)


class Hanging:
    """Accepts every connection on a free port of 127.0.0.1, never reads or answers."""

    def __init__(self) -> None:
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with suppress(OSError):
            while True:
                self.held.append(self.listener.accept()[0])

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


def gunicorn(
    workdir: Path, cache_url: str, prefix: str, name: str
) -> AbstractContextManager[Server]:
    port = free_port()
    env = site_env(workdir / "bench.sqlite3", panel=True)
    env.update(BENCH_CACHE_URL=cache_url, BENCH_CACHE_PREFIX=prefix, BENCH_TTL="1")
    return serving(
        "gunicorn",
        [
            str(Path(PYTHON).parent / "gunicorn"),
            *("bench.site_wsgi:application", "--bind", f"{HOST}:{port}"),
            *("--workers", "2", "--worker-class", "sync", "--log-level", "warning"),
        ],
        port=port,
        env=env,
        log=workdir / f"{name}.log",
    )


Measured = tuple[float, float | None, int]


def load(port: int, seconds: int, connections: int) -> Measured:
    """(requests per second, slowest answer in ms, requests not answered within 10 s);
    without wrk, the rate only. Every answer must be a 200."""
    if shutil.which("wrk") is None:
        return load_with_python(port, seconds, connections, 200)[1], None, 0
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s"]
    output = subprocess.run(
        [*command, f"http://{HOST}:{port}/"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"not every answer was a 200:\n{output}")
    late = re.search(r"timeout (\d+)", output)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"Latency(?:\s+\S+){2}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    slowest = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rate, slowest, int(late.group(1)) if late else 0


def one_round(
    workdir: Path, redis_url: str, hanging: Hanging, args: argparse.Namespace
) -> dict[str, list[Measured]]:
    prefix = f"bench-hanging-{uuid.uuid4().hex[:8]}"
    urls = {"healthy": redis_url, "hanging": f"redis://{HOST}:{hanging.port}/0"}
    names = list(urls)
    random.shuffle(names)
    measured: dict[str, list[Measured]] = {name: [] for name in names}
    with ExitStack() as stack:
        servers = {n: stack.enter_context(gunicorn(workdir, urls[n], prefix, n)) for n in names}
        for name in names:
            assert status_of(servers[name].port) == 200, name
        for name in [*names, *reversed(names)]:
            measured[name].append(load(servers[name].port, args.seconds, args.connections))
    forget(redis_url, prefix)
    return measured


def forget(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    hanging = Hanging()
    rates: dict[str, list[float]] = {"healthy": [], "hanging": []}
    slowest: dict[str, list[float]] = {"healthy": [], "hanging": []}
    late = {"healthy": 0, "hanging": 0}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            migrate(Path(tmp) / "bench.sqlite3")
            for _ in range(args.rounds):
                for name, loads in one_round(Path(tmp), args.redis, hanging, args).items():
                    rates[name] += [rate for rate, _, _ in loads]
                    slowest[name] += [ms for _, ms, _ in loads if ms is not None]
                    late[name] += sum(count for _, _, count in loads)
    finally:
        hanging.close()
    print(f"gunicorn, 2 sync workers, maintenance off, TTL 1 s, {args.connections} connections")
    for name in ("healthy", "hanging"):
        worst = f", slowest answer {max(slowest[name]):.0f} ms" if slowest[name] else ""
        worst += f", {late[name]} not answered within 10 s" if late[name] else ""
        print(f"  {name:8} cache: {statistics.median(rates[name]):8.0f} requests/s{worst}")
    ratio = statistics.median(rates["hanging"]) / statistics.median(rates["healthy"])
    print(f"  ratio hanging / healthy: {ratio:.2f}")


if __name__ == "__main__":
    main()
