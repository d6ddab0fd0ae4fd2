"""Settings of the demo site with one webhook, the test's receiver, for the window event
tests: its URL and secret come from the environment the test starts the servers with."""

import os

from demo.settings import *  # noqa: F403

MAINTENANCE_MODE_WEBHOOKS = [
    {"url": os.environ["NOTIFY_WEBHOOK_URL"], "secret": os.environ["NOTIFY_WEBHOOK_SECRET"]}
]
