"""System checks: each has a stable id and says how to fix what it finds.

Importing this package registers them all (``AppConfig.ready`` does):

- :mod:`~maintenance_panel.checks.installation`: E001, E002 (the middleware), E003
  (django-solo), W005 (the app order);
- :mod:`~maintenance_panel.checks.settings`: W001, W002 (names), E007, I001 (the
  cache), E008 (types), E009, E010 (hooks), E011 (the template), E012 (the redirect),
  W007 (the web server's page);
- :mod:`~maintenance_panel.checks.lists`: E004, E005, E006, W008, E013 (list settings,
  the names of background work included);
- :mod:`~maintenance_panel.checks.urls`: W004 (the app's URLs), W006 (scopes);
- :mod:`~maintenance_panel.checks.database`: W003 (the tables);
- :mod:`~maintenance_panel.checks.notifications`: E014 (the webhooks).

docs/checks.md lists every id with what it means and how to fix it.
"""

from __future__ import annotations

from maintenance_panel.checks import database, installation, lists, notifications, settings, urls
from maintenance_panel.checks.urls import url_samples

__all__ = [
    "database",
    "installation",
    "lists",
    "notifications",
    "settings",
    "url_samples",
    "urls",
]
