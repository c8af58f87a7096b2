"""A live server in a thread and Debian's Chromium at phone size."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("INTAKE_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


# Console errors that tests cause on purpose: a form sent back with its errors (422).
EXPECTED_ERRORS = ("status of 422",)
# ... and, in the tests that take the network away (they say so with @pytest.mark.console_errors).
NO_NETWORK = ("net::ERR_INTERNET_DISCONNECTED", "net::ERR_CONNECTION_RESET", "net::ERR_FAILED")

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the whole run (a second one cannot start beside it)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser, live_server, request):
    """A fresh phone-sized page; fails the test on any script error or CSP violation."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  base_url=live_server, locale="fr-FR")
    page = context.new_page()
    problems = []
    # A test may expect more: @pytest.mark.console_errors("status of 400").
    expected_errors = EXPECTED_ERRORS + tuple(text for marker in request.node.iter_markers("console_errors")
                                              for text in marker.args)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def on_console(message):
        if message.type == "error" and not any(expected in message.text for expected in expected_errors):
            problems.append(message.text)

    page.on("console", on_console)
    yield page
    context.close()
    assert problems == []


@pytest.fixture
def installable(playwright, live_server, tmp_path):
    """A phone browser with a profile of its own: Chromium never offers to install from an incognito context."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=BROWSER_ARGS, base_url=live_server,
        viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR")
    yield context
    context.close()


@pytest.fixture
def screenshots(tmp_path):
    """Where to keep screenshots: INTAKE_SCREENSHOTS (e.g. docs/screenshots) or a temporary folder."""
    folder = os.environ.get("INTAKE_SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return folder
