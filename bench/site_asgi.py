"""ASGI entry point of the benchmark site (uvicorn bench.site_asgi:application).

With ``BENCH_DESCRIBE_STACK=1`` each process prints, once, the middleware chain Django
built for it (``bench.asgi_stack.describe_chain``) to stderr: ``bench/load_asgi.py``
reads it from the server's log to show which servers run their middleware natively
async.
"""

from __future__ import annotations

import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.site")
application = get_asgi_application()

if os.environ.get("BENCH_DESCRIBE_STACK") == "1":
    from bench.asgi_stack import describe_chain

    chain, native = describe_chain(application)
    print(f"bench-stack native={native} {chain}", file=sys.stderr, flush=True)
