"""The web server's copy of the maintenance page.

While the application servers restart, nothing answers behind the web server: nginx
or Caddy can then serve a file instead, and this module keeps that file identical to
what the site itself shows. ``manage.py maintenance_mode render`` writes it on demand;
with ``MAINTENANCE_MODE_STATIC_PAGE`` set, the process that commits a change (from the
admin, the command line or code) rewrites it right after, atomically, so the web server
never reads half a page. A failing write is logged and never undoes or breaks the
change; check ``maintenance_panel.W007`` reports a folder that is missing or not
writable.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import loader
from django.utils import translation

from maintenance_panel import conf, responses, state
from maintenance_panel.snapshot import Snapshot

logger = logging.getLogger("maintenance_panel")


def render_static_page(snapshot: Snapshot | None = None) -> str:
    """The maintenance page with the stored title, message and window, in
    ``LANGUAGE_CODE``, rendered without a request: whether maintenance is on or off,
    so that it can be prepared before a deploy.

    The app's own template inlines its CSS and loads nothing else; a project's own
    ``503.html`` must do the same to be served by a web server on its own.
    ``MAINTENANCE_MODE_GET_CONTEXT`` needs a request, so it is not called.
    """
    if snapshot is None:
        snapshot = Snapshot.from_data(state.load_data(), stamp="static")
    with translation.override(settings.LANGUAGE_CODE):
        retry_after = responses.retry_after_seconds(snapshot)
        context = responses.page_context(snapshot, retry_after)
        return loader.render_to_string(conf.template_name(), context)


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Replace the file at ``path`` with ``text`` in one step: a reader sees the old
    file or the new one, never a part (a temporary file in the same folder, renamed).
    Raises ``OSError`` when the folder is missing or not writable."""
    target = Path(path)
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates the file for its owner only; the web server runs as
        # another user and must read it.
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _on_published(*, snapshot: Snapshot, **kwargs: Any) -> None:
    path = conf.static_page()
    if path is None:
        return
    try:
        write_atomically(path, render_static_page(snapshot))
    except OSError as exc:
        logger.error(
            "maintenance_panel: cannot write MAINTENANCE_MODE_STATIC_PAGE %s: %s; "
            "the change itself is saved (see check maintenance_panel.W007)",
            path,
            exc,
        )
    except Exception:
        # The change is committed already: a page that cannot be rendered (a broken
        # project template) must not turn it into an error for whoever made it.
        logger.exception(
            "maintenance_panel: cannot render the maintenance page for %s; "
            "the change itself is saved",
            path,
        )


def connect() -> None:
    """Rewrite the static page after every committed change (from ``AppConfig.ready``)."""
    state.state_published.connect(_on_published, dispatch_uid=__name__)


def static_page_problem(path: str) -> str | None:
    """Why the file at ``path`` cannot be written (None when it can)."""
    target = Path(path)
    if not target.is_absolute():
        return "is not an absolute path"
    if target.is_dir():
        return "is a folder; name a file in it, e.g. maintenance.html"
    folder = target.parent
    if not folder.is_dir():
        return f"is in folder {folder}, which does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"is in folder {folder}, which this process may not write to"
    return None
