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

# A second database, so that the write guard is seen to cover every alias. Only tests
# that ask for it (databases=["default", "other"]) use it.
DATABASES["other"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "NAME": f"{DATABASES['default']['NAME']}_other",  # noqa: F405
    "TEST": {"NAME": None}
    if DATABASES["default"]["ENGINE"].endswith("sqlite3")  # noqa: F405
    else {"NAME": f"test_{DATABASES['default']['NAME']}_other"},  # noqa: F405
}
DATABASE_ROUTERS = ["tests.routers.OtherDatabaseRouter"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"maintenance_panel": {"level": "WARNING"}},
}

# Management commands that the tests run as background work (maintenance_mode exec).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.workapp"]  # noqa: F405
