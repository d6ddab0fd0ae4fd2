"""Test settings with background work exempt from maintenance (``maintenance_mode exec``)."""

from tests.settings import *  # noqa: F403

MAINTENANCE_MODE_IGNORE_TASKS = [r"^work_echo$"]
