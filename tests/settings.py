"""Test settings: the demo site's, made fast and isolated per test process."""

import os

from demo.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False

# Test processes (xdist workers, helper servers) must not see each other's state in a
# shared Redis.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"  # noqa: F405

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": None}  # noqa: F405  # in-memory

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"maintenance_panel": {"level": "WARNING"}},
}
