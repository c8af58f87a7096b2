"""The coordinators' dashboard in Chromium: every chart drawn from its figure's numbers, readable at phone
size (390×844) and on a desktop (1280×800), with no script error and no CSP violation."""

from __future__ import annotations

import os

import pytest

from intake.clock import local_today
from intake.extensions import db
from intake.services.demo import DEMO_PASSWORD, build_demo

from .steps import wait_until

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def sign_in_as_coordinator(page) -> None:
    page.goto("/login")
    page.fill("input[name=email]", "coordination@demo.intake.fr")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def drawn_charts(page) -> tuple[int, int]:
    """(charts on the page, charts Chart.js drew with their numbers)."""
    wait_until(page, "!!window.Chart && Object.keys(window.Chart.instances).length > 0")
    return page.evaluate("""() => [document.querySelectorAll('[data-chart]').length,
        Object.values(window.Chart.instances).filter(chart => chart.data.datasets.every(d => d.data.length)).length]""")


def test_dashboard_charts_on_a_phone_and_a_desktop(app, phone, browser, live_server, screenshots):
    with app.app_context():
        build_demo(db.session, item_count=3000)
        year = local_today().year - 1
    sign_in_as_coordinator(phone)
    phone.goto(f"/indicators?year={year}")
    charts, drawn = drawn_charts(phone)
    assert charts >= 12 and drawn == charts
    phone.screenshot(path=os.path.join(screenshots, "indicators-phone.png"))
    # Nothing is wider than the phone: no sideways scrolling of the page.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    # Each chart's numbers are a table beside it, and its CSV is one tap away.
    by_source = phone.locator("#by_source")
    by_source.locator("summary").click()
    assert by_source.locator("table tbody tr").count() >= 3
    assert by_source.locator("a[download]").get_attribute("href").startswith("/indicators/by_source.csv?")
    phone.locator("#destinations_by_month").screenshot(path=os.path.join(screenshots, "indicators-phone-stacked.png"))

    desktop = browser.new_context(viewport=DESKTOP, base_url=live_server, locale="fr-FR").new_page()
    errors = []
    desktop.on("pageerror", lambda error: errors.append(str(error)))
    desktop.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in_as_coordinator(desktop)
    desktop.goto(f"/indicators?year={year}")
    charts, drawn = drawn_charts(desktop)
    assert drawn == charts and errors == []
    desktop.screenshot(path=os.path.join(screenshots, "indicators-desktop.png"))
    desktop.context.close()
