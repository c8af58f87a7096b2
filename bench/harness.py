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
POSTGRES = "postgresql+psycopg://127.0.0.1:5432/test"
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
