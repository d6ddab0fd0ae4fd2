"""Settings of the demo site for a Celery worker of the real-component tests: held tasks
are tried again after 1 s, ``it.exempt`` keeps running during maintenance, and the
broker, result backend and queue come from the environment the test gives."""

import os

from demo.settings import *  # noqa: F403

MAINTENANCE_MODE_WORK_RETRY = 1
MAINTENANCE_MODE_IGNORE_TASKS = [r"^it\.exempt$"]

CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
CELERY_RESULT_BACKEND = os.environ["CELERY_RESULT_BACKEND"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["CELERY_TASK_DEFAULT_QUEUE"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
