"""The README's production section, followed word for word from a clean clone, gives a server that
serves the browser libraries (the QR scanner) as well as the app.

Slow (a clone, a virtualenv from pip's cache, npm ci, gunicorn: about half a minute), but it runs with
the rest of `make test`: a deploy that 404s on the scanner is found here, not on a technician's phone.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTION = "## Running in production"
# The README's example values that cannot work on a test machine, and what this test uses instead.
# No DATABASE_URL: SQLite in the clone's instance folder (the README's own fallback).
EXPORTS = {"DATABASE_URL": None}  # the README's Redis is the one on this machine
PASSWORD = "production-steps-2026"


def readme_production_steps() -> list[str]:
    """The command lines of the first shell block of the README's production section."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    section = text[text.index(SECTION):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def as_run_here(line: str, port: int) -> str:
    export = re.match(r"export (\w+)=", line)
    if export and export.group(1) in EXPORTS:
        value = EXPORTS[export.group(1)]
        return f"unset {export.group(1)}" if value is None else f"export {export.group(1)}={value}"
    if "gunicorn" in line:
        bound = re.sub(r"--bind \S+", f"--bind 127.0.0.1:{port}", line)
        assert bound != line, "the README's gunicorn line names no --bind"
        return f"exec {bound}"
    return line


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_the_readme_production_steps_serve_the_scanner_library(tmp_path):
    clone = tmp_path / "intake"
    subprocess.run(["git", "clone", "--quiet", ROOT, str(clone)], check=True, timeout=60)
    port = free_port()
    steps = [as_run_here(line, port) for line in readme_production_steps()]
    server_at = next(i for i, line in enumerate(steps) if line.startswith("exec "))
    # A clean environment but for what finds the tools and the caches (pip's and npm's, reused).
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "PIP_CACHE_DIR", "npm_config_cache",
                                               "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS")
           if name in os.environ}
    setup = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(steps[:server_at])], cwd=clone, env=env,
                           input=f"{PASSWORD}\n{PASSWORD}\n", capture_output=True, text=True, timeout=240)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-4000:]
    exports = "\n".join(line for line in steps[:server_at] if line.startswith(("export ", "unset ")))
    server = subprocess.Popen(["bash", "-euo", "pipefail", "-c", f"{exports}\n{steps[server_at]}"], cwd=clone, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        status, body = get(f"{base}/vendor/qr-scanner/qr-scanner.min.js")
        assert status == 200 and b"QrScanner" in body
        assert get(f"{base}/static/js/scan.js")[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_a_build_without_the_browser_libraries_fails_its_release_step(app, tmp_path):
    app.config["VENDOR_FOLDER"] = str(tmp_path)  # npm ci never ran here
    refused = app.test_cli_runner().invoke(args=["check-browser-libraries"])
    assert refused.exit_code != 0 and "qr-scanner/qr-scanner.min.js" in refused.output
    assert app.test_client().get("/vendor/qr-scanner/qr-scanner.min.js").status_code == 404

    app.config["VENDOR_FOLDER"] = os.path.join(ROOT, "node_modules")
    assert app.test_cli_runner().invoke(args=["check-browser-libraries"]).exit_code == 0
    assert app.test_client().get("/vendor/qr-scanner/qr-scanner.min.js").status_code == 200
