"""Loads the package's pytest plugin for this project's own test run.

Users get ``maintenance_panel.testing`` through its pytest11 entry point. Here that
entry point is switched off (``-p no:maintenance_panel`` in pyproject's addopts) and
the module is loaded from this conftest instead, because pytest imports entry-point
plugins before pytest-cov starts measuring: the plugin, and what it imports, would
count as never run.
"""

pytest_plugins = ["maintenance_panel.testing"]
