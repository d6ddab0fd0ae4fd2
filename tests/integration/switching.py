"""The operator: a separate process of the demo site (``manage.py shell -c``) that
switches maintenance mode when asked, as an admin or a deploy script would, and says
when each change was committed."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess

from tests.integration.machine import PYTHON, ROOT
from tests.integration.sites import Site

#: What the operator runs: a switch for each line it reads, then the time it committed.
OPERATOR = """
import sys, time
from maintenance_panel.core import set_maintenance_mode
print("ready", flush=True)
for line in sys.stdin:
    set_maintenance_mode(line.strip() == "on", title="Integration test")
    print(time.time(), flush=True)
"""


class Operator:
    """``manage.py shell -c``: switches on request and reports when it committed."""

    def __init__(self, site: Site) -> None:
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "--no-imports", "-v", "0", "-c", OPERATOR],
            cwd=ROOT,
            env=site.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self._expect("ready")

    def _expect(self, what: str | None = None, timeout: float = 60) -> str:
        """The next line the operator prints. Fails if none comes within ``timeout``
        seconds; stops the operator and fails if the line is empty, or is not ``what``
        when that is given."""
        assert self.process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        try:
            if not selector.select(timeout):
                raise AssertionError(f"operator: no answer within {timeout}s")
        finally:
            selector.close()
        line = self.process.stdout.readline().strip()
        if not line or (what is not None and line != what):
            self.stop()
            assert self.process.stderr is not None
            raise AssertionError(f"operator said {line!r}:\n{self.process.stderr.read()}")
        return line

    def switch(self, on: bool) -> float:
        """Switch and return the time (``time.time()``) the change was committed."""
        assert self.process.stdin is not None
        self.process.stdin.write("on\n" if on else "off\n")
        self.process.stdin.flush()
        return float(self._expect())

    def stop(self) -> None:
        """Close its input, so that it exits, and wait (killing it after 10 s)."""
        if self.process.poll() is None:
            if self.process.stdin is not None:
                self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
