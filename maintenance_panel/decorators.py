"""View decorators that fix maintenance mode for one view, whatever the state."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import iscoroutinefunction

#: The attribute the middleware reads on a view (or its ``view_class``).
ATTRIBUTE = "maintenance_mode_forced"

ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def _force(value: bool) -> Callable[[ViewT], ViewT]:
    def decorator(view: ViewT) -> ViewT:
        if isinstance(view, type):
            # A class-based view: as_view() finds the attribute through view_class.
            setattr(view, ATTRIBUTE, value)
            return view
        if iscoroutinefunction(view):

            @functools.wraps(view)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                return await view(*args, **kwargs)

            wrapper: Any = async_wrapper
        else:

            @functools.wraps(view)
            def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
                return view(*args, **kwargs)

            wrapper = sync_wrapper
        setattr(wrapper, ATTRIBUTE, value)
        return wrapper

    return decorator


force_maintenance_mode_off = _force(False)
force_maintenance_mode_off.__doc__ = """Serve this view as usual even during maintenance.

Works on function views, async views, class-based views (decorate the class, or
``method_decorator(force_maintenance_mode_off, name="dispatch")``) and ``as_view()``.
"""

force_maintenance_mode_on = _force(True)
force_maintenance_mode_on.__doc__ = """Answer this view with the maintenance response even
when maintenance mode is off."""
