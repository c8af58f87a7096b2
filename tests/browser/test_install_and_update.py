"""The app installs (Chromium's own check), and a deploy reaches the phone at its next visit."""

from __future__ import annotations

import shutil

import pytest

from intake.pwa.routes import refresh_static_version

from .conftest import NO_NETWORK
from .steps import sign_in_and_choose_point, wait_until, with_service_worker

pytestmark = [pytest.mark.browser, pytest.mark.console_errors(*NO_NETWORK)]


@pytest.fixture
def deployable(app, tmp_path):
    """The app serving a copy of static/, which the test can change as a deploy would."""
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static)
    app.static_folder = str(static)
    refresh_static_version(app)
    return static


def sign_in(phone, world):
    sign_in_and_choose_point(phone, world)
    with_service_worker(phone)


def test_chromium_finds_the_app_installable(installable, world):
    phone = installable.pages[0]
    sign_in(phone, world)
    cdp = installable.new_cdp_session(phone)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")


def test_a_deploy_with_a_new_stylesheet_updates_the_worker_and_serves_the_new_file(deployable, phone, app, world):
    sign_in(phone, world)
    old_cache = f"intake-{app.extensions['static_version']}"
    assert phone.evaluate("caches.keys()") == [old_cache]
    marker = "--deployed: yes"
    assert marker not in phone.evaluate("fetch('/static/css/app.css').then((r) => r.text())")

    with open(deployable / "css" / "app.css", "a") as css:  # the deploy
        css.write(f"\n:root {{ {marker}; }}\n")
    new_cache = f"intake-{refresh_static_version(app)}"
    assert new_cache != old_cache

    phone.goto("/intake")  # the next visit: the browser compares the worker's bytes and installs the new one
    wait_until(phone, f"caches.keys().then((names) => names.length === 1 && names[0] === {new_cache!r})")
    phone.reload()
    assert marker in phone.evaluate("fetch('/static/css/app.css').then((r) => r.text())")
    assert phone.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--deployed').trim()") == "yes"
    phone.context.set_offline(True)  # and the cache holds the new file, not a mix
    phone.reload()
    assert phone.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--deployed').trim()") == "yes"
