"""The maintenance page: its context, its rendering, and the web server's copy of it.

The page tells a :class:`~maintenance_panel.status.Status`: the title and message (or
the defaults of :mod:`maintenance_panel.wording`), the window and ``Retry-After``.

While the application servers restart, nothing answers behind the web server: nginx
or Caddy can then serve a file instead, and this module keeps that file identical to
what the site itself shows. ``manage.py maintenance_mode render`` writes it on demand;
with ``MAINTENANCE_MODE_STATIC_PAGE`` set, :func:`maintenance_panel.state.publish` (which
runs in the process that committed a change, right after the commit) calls
:func:`rewrite_static_page`, which replaces the file atomically, so the web server never
reads half a page. A failing write is logged and never undoes or breaks the change;
check ``maintenance_panel.W007`` reports a folder that is missing or not writable.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template import loader
from django.utils import translation

from maintenance_panel import conf, loading, status, wording
from maintenance_panel.snapshot import Snapshot

logger = logging.getLogger("maintenance_panel")


def page_context(
    snapshot: Snapshot, retry_after: int | None, *, read_only: bool = False
) -> dict[str, Any]:
    """What the maintenance template gets (before ``MAINTENANCE_MODE_GET_CONTEXT``).

    ``read_only``: the page answers a change refused during read-only maintenance.
    """
    described = status.describe(snapshot)
    title, message = wording.default_page_text(read_only)
    open_or_one_off = described.repeats is None or described.phase == "open"
    return {
        "title": described.title or title,
        "message": described.message or message,
        "read_only": read_only,
        # A repeated window's times only while one is open: the web server's copy,
        # written between occurrences, must not promise the next one's end.
        "starts_at": described.starts_at if open_or_one_off else None,
        "ends_at": described.ends_at if open_or_one_off else None,
        "retry_after": retry_after,
        # What the i18n context processor would give, for <html lang> and dir.
        "LANGUAGE_CODE": translation.get_language(),
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        # Tells {% maintenance_banner %} not to speak on the maintenance page itself.
        "maintenance_page": True,
    }


def render_page(
    request: HttpRequest, snapshot: Snapshot, retry_after: int | None, *, read_only: bool = False
) -> str:
    """The maintenance page for ``snapshot``, rendered now (the admin's preview uses it).

    Without ``MAINTENANCE_MODE_GET_CONTEXT`` it is rendered without the request, so the
    result may be shared by every visitor; with it, with the request.
    """
    context = page_context(snapshot, retry_after, read_only=read_only)
    extra_function = conf.get_context_function()
    if extra_function is None:
        return loader.render_to_string(conf.template_name(), context)
    context.update(extra_function(request) or {})
    return loader.render_to_string(conf.template_name(), context, request=request)


# -- the web server's copy ---------------------------------------------------------------


def render_static_page(snapshot: Snapshot | None = None) -> str:
    """The maintenance page with the snapshot's (default: the stored) title, message
    and window, in
    ``LANGUAGE_CODE``, rendered without a request: whether maintenance is on or off,
    so that it can be prepared before a deploy.

    The app's own template inlines its CSS and loads nothing else; a project's own
    ``503.html`` must do the same to be served by a web server on its own.
    ``MAINTENANCE_MODE_GET_CONTEXT`` needs a request, so it is not called.
    """
    if snapshot is None:
        snapshot = loading.read_snapshot("static")
    with translation.override(settings.LANGUAGE_CODE):
        context = page_context(snapshot, status.retry_after_seconds(snapshot))
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


def rewrite_static_page(snapshot: Snapshot) -> None:
    """Rewrite ``MAINTENANCE_MODE_STATIC_PAGE`` (when set) for a committed change; log
    failures, never raise: the change is saved already."""
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
