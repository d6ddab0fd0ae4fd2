"""The demo's task (Django's tasks framework): the guestbook's daily digest, held during
maintenance. Its name, for ``MAINTENANCE_MODE_IGNORE_TASKS``, is
``demo.tasks.send_guestbook_digest``.

With the framework's default backend (immediate: the task runs inside ``enqueue``),
enqueueing it during maintenance raises ``maintenance_panel.tasks.WorkHeld``; with
``DEMO_TASKS=database`` the demo uses django-tasks-db, and its worker
(``manage.py db_worker``) runs the task later instead.
"""

from __future__ import annotations

from demo import digest
from maintenance_panel.tasks import held_during_maintenance

try:
    from django.tasks import task
except ImportError:  # Django 5.2: the django-tasks backport
    from django_tasks import task  # type: ignore[no-redef]


@held_during_maintenance
@task
def send_guestbook_digest() -> int:
    """Mail the admins the guestbook entries of the last 24 hours."""
    return digest.send_guestbook_digest()
