"""The supported Django x Python matrix, with warnings as errors.

``nox -l`` lists the sessions; ``nox -s "tests-3.11(django='5.2')"`` runs one pair.
Each session installs the package with its test extra and the Django release, then
runs the unit, client and browser tests (the real-component tests run in ``.ci/run``).
Deprecation warnings are errors through pytest's ``filterwarnings`` in pyproject.toml.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = True

#: The real-component tests of background work, run on a pair with NOX_WORKERS=1.
WORKER_TESTS = [
    "tests/integration/test_celery.py",
    "tests/integration/test_tasks_worker.py",
    "tests/integration/test_work.py",
]

#: Django release -> the Pythons it is tested on (oldest and newest it supports here).
MATRIX = {
    "5.2": ["3.11", "3.12"],
    "6.0": ["3.12", "3.13"],
    "6.1": ["3.12", "3.13"],
}


@nox.session
@nox.parametrize(
    "python,django",
    [(python, django) for django, pythons in MATRIX.items() for python in pythons],
)
def tests(session: nox.Session, django: str) -> None:
    """The test suite (services left out) on one Django and Python pair; with
    ``NOX_WORKERS=1`` (as ``.ci/run`` sets it) also the background work's real-component
    tests: a Celery worker, django-tasks-db's worker and ``exec``, on this pair."""
    session.install("-e", ".[test]", f"Django~={django}.0")
    session.run("python", "-c", "import django; print('Django', django.get_version())")
    session.run("pytest", "-n", "2", "-m", "not services", "-q", *session.posargs)
    if os.environ.get("NOX_WORKERS") == "1":
        session.run("pytest", "-m", "services", "-q", *WORKER_TESTS)
