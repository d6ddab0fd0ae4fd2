"""Settings of the demo site with Django's tasks framework on django-tasks-db's database
backend, for the worker test: held work is tried again after 1 s, and the tasks whose
name starts with ``exempt_`` keep running during maintenance."""

from importlib.util import find_spec

from demo.settings import *  # noqa: F403

# Django 6 has django.tasks; on 5.2 the backport is an app of its own.
_BACKPORT = ["django_tasks"] if find_spec("django.tasks") is None else []
INSTALLED_APPS = [*INSTALLED_APPS, *_BACKPORT, "django_tasks_db"]  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MAINTENANCE_MODE_WORK_RETRY = 1
MAINTENANCE_MODE_IGNORE_TASKS = [r"^tests\.integration\.worker_tasks\.exempt_"]
