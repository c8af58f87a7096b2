"""Steps several browser tests take: signing in and choosing today's collection point, waiting."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from ..factories import PASSWORD, email_for


def sign_in(phone, role: str) -> None:
    """Through the sign-in page; the phone lands on the role's home."""
    phone.goto("/")
    assert "/login" in phone.url
    phone.fill("input[name=email]", email_for(role))
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(lambda url: "/login" not in url)


def sign_in_and_choose_point(phone, world, *, role: str = "volunteer") -> None:
    sign_in(phone, role)
    if not phone.url.endswith("/intake/setup"):
        phone.goto("/intake")
    phone.wait_for_url(re.compile(r"/intake/setup$"))
    phone.select_option("select[name=collection_point_id]", str(world.point_id))
    phone.click("button[type=submit]")
    phone.wait_for_url(re.compile(r"/intake$"))


def with_service_worker(phone) -> None:
    """Wait until the worker is installed and controls the page (the page loaded once more)."""
    phone.evaluate("navigator.serviceWorker.ready")
    phone.reload()
    wait_until(phone, "navigator.serviceWorker.controller !== null")


def wait_until(phone, promise: str, seconds: float = 10) -> None:
    """Poll a promise in the page until it resolves to true."""
    deadline = time.monotonic() + seconds
    while not phone.evaluate(promise):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {promise}"
        phone.wait_for_timeout(100)


def log_item(phone, category: str, weight: str, *, code: str | None = None, photo=None) -> None:
    phone.get_by_text(category, exact=True).click()
    for key in weight:
        phone.click(f".keypad button[data-key='{key}']")
    phone.get_by_text("À réparer").click()
    if code:
        phone.get_by_text("Plus de détails").click()
        phone.fill("input[name=code]", code)
    if photo:
        phone.set_input_files("input[name=photo]", str(photo))
    phone.get_by_role("button", name="Enregistrer").click()
    expect(phone.locator("#queued")).to_be_visible()
