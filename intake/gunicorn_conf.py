"""gunicorn's settings for intake: ``gunicorn -c python:intake.gunicorn_conf 'intake:create_app()'``.

Sign-in attempts and code blocks are rate-limited. Limits kept in a worker's memory are counted per
worker, so with several workers an attacker gets several times the allowance: then the limits must
live in a storage every worker shares (Redis). Rather than run with limits that do not hold, the
server refuses to start and says what to set.
"""

from __future__ import annotations

import os

from intake.config import Defaults

# Options the command line does not set (it wins over these).
accesslog = "-"


def on_starting(server) -> None:
    storage = os.environ.get("INTAKE_RATELIMIT_STORAGE_URI", Defaults.RATELIMIT_STORAGE_URI)
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        message = (f"intake: {server.cfg.workers} workers would each keep their own count of sign-in attempts. "
                   "Set INTAKE_RATELIMIT_STORAGE_URI=redis://host:6379/0 (shared by the workers), "
                   "or run a single worker (--workers 1).")
        server.log.error(message)
        raise SystemExit(message)
