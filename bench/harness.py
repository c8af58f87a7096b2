"""What the benchmarks share: free ports, gunicorn, and a keep-alive HTTP client measuring latency."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The benchmarks' own PostgreSQL database, emptied on each use: never the tests' (`test`), whose
# backups a leftover table of ours would break.
SCRATCH = "bench_scratch"
_DONE = object()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def gunicorn(app_spec: str, env: dict, port: int, workers: int = 2) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", app_spec]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})


def hammer(port: int, method: str, path: str, headers: dict, bodies: list, clients: int,
           expected: int = 201) -> dict:
    """Send one request per body (None: no body), from ``clients`` keep-alive connections."""
    latencies, errors, lock = [], [], threading.Lock()
    queue = iter(bodies)

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                body = next(queue, _DONE)
            if body is _DONE:
                break
            payload = None if body is None else json.dumps(body)
            kind = {} if body is None else {"Content-Type": "application/json"}
            started = time.perf_counter()
            try:
                connection.request(method, path, payload, {**kind, **headers})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                status = repr(error)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != expected:
                    errors.append(status)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(bodies),
        "per_second": len(bodies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": len(errors),
        "first_errors": errors[:3],
    }


# A database of years of activity, shared by the benchmarks that need volume (bench/scale.py,
# bench/indicators.py): SQLite in a temporary folder, PostgreSQL in ``bench_volume`` on 127.0.0.1:5432.
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# INTAKE_BENCH_VOLUME_DB names another database (a second checkout benching beside the first).
VOLUME_DB = os.environ.get("INTAKE_BENCH_VOLUME_DB", "bench_volume")
PG_VOLUME = f"postgresql+psycopg://postgres@127.0.0.1:5432/{VOLUME_DB}"


def scratch_postgres() -> str:
    """The URL of an empty ``bench_scratch`` database (INTAKE_BENCH_POSTGRES names another server's)."""
    import sqlalchemy as sa

    url = sa.make_url(os.environ.get("INTAKE_BENCH_POSTGRES", PG_ADMIN)).set(database=SCRATCH)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {SCRATCH}"))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def volume_database(kind: str, keep: bool) -> tuple[str, str]:
    """(SQLAlchemy URL, instance folder) of the volume database; emptied unless ``keep``."""
    import tempfile

    import sqlalchemy as sa

    instance = os.path.join(tempfile.gettempdir(), f"intake-bench-volume-{kind}"
                            + ("" if VOLUME_DB == "bench_volume" else f"-{VOLUME_DB}"))
    os.makedirs(instance, exist_ok=True)
    if kind == "sqlite":
        path = os.path.join(instance, "intake.sqlite3")
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
        return "sqlite:///" + path, instance
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": VOLUME_DB}).scalar()
        if exists and not keep:
            connection.execute(sa.text(f"DROP DATABASE {VOLUME_DB}"))
            exists = False
        if not exists:
            connection.execute(sa.text(f"CREATE DATABASE {VOLUME_DB}"))
    admin.dispose()
    return PG_VOLUME, instance


def fill_volume(app, items: int) -> None:
    """Migrate, then fill with ``flask --app intake demo --items N``'s generator up to ``items`` items."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from intake.extensions import db
    from intake.models import Item
    from intake.services.demo import build_demo

    with app.app_context():
        upgrade()
        held = db.session.scalar(sa.select(sa.func.count(Item.id)))
        if held >= items:
            return
        if held:
            sys.exit(f"the database holds {held} items, fewer than {items}: run without --keep")
        started = time.perf_counter()
        build_demo(db.session, item_count=items)
        print(f"filled {items:,} items in {time.perf_counter() - started:.0f} s")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()


def timed(function, runs: int) -> float:
    """The median of ``runs`` calls, in milliseconds (after one warm-up call)."""
    function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)
