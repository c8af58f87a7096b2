"""Several gunicorn workers need rate limits they share: without, the server refuses to start and says why."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(tmp_path, workers: int, storage: str | None):
    env = {key: value for key, value in os.environ.items() if not key.startswith("INTAKE_")}
    env.update(INTAKE_INSTANCE_PATH=str(tmp_path), INTAKE_SECRET_KEY="x" * 32)
    env.pop("DATABASE_URL", None)
    if storage:
        env["INTAKE_RATELIMIT_STORAGE_URI"] = storage
    port = free_port()
    process = subprocess.Popen([GUNICORN, "-c", "python:intake.gunicorn_conf", "--workers", str(workers),
                                "--bind", f"127.0.0.1:{port}", "intake:create_app()"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, port


@pytest.mark.parametrize("workers", [2, 4])
def test_several_workers_with_memory_limits_refuse_to_start(tmp_path, workers):
    process, _port = start(tmp_path, workers, None)
    try:
        _out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode != 0
    assert "INTAKE_RATELIMIT_STORAGE_URI=redis://" in err and f"{workers} workers" in err


@pytest.mark.parametrize("workers, storage", [(1, None), (2, "redis://127.0.0.1:6379/15")])
def test_one_worker_or_shared_limits_start(tmp_path, workers, storage):
    process, port = start(tmp_path, workers, storage)
    try:
        deadline = time.monotonic() + 40
        while True:
            assert process.poll() is None, process.stderr.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    # the database was never created: the health check answers, and says so
                    assert response.status in (200, 503)
                    break
            except urllib.error.HTTPError as error:
                assert error.code == 503
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)
