"""Settings of the demo site under read-only maintenance (forced by settings), whose
``handler404`` writes: for the ASGI test of the guard outside views."""

from demo.settings import *  # noqa: F403

ROOT_URLCONF = "tests.integration.readonly_site_urls"
MAINTENANCE_MODE = True
MAINTENANCE_MODE_READ_ONLY = True
