"""On a 390 × 844 phone, every role lands on its own home, reaches every entry of its menu without
scrolling sideways, and no page it can open is wider than the screen, nor clips a table.

The pages walked are the route × role table of tests/test_access.py: a new page is walked here as soon
as it has its row there.
"""

from __future__ import annotations

import os
import re

import pytest

from ..test_access import GET_ROUTES, ids, item_code  # noqa: F401 (fixtures: a handover, a sale, a batch...)
from .conftest import PHONE
from .steps import sign_in

pytestmark = pytest.mark.browser

# Each role's home and its whole menu, as a French phone shows them.
HOMES = {"volunteer": "/intake", "technician": "/workshop", "coordinator": "/today", "landlord": "/landlord/"}
MENUS = {
    "volunteer": {"Collecte", "Objets", "Étiquettes", "Atelier", "Stock au poids"},
    "technician": {"Atelier", "Collecte", "Objets", "Étiquettes", "Recyclage", "Caisse", "Stock au poids"},
    "coordinator": {"Aujourd’hui", "Objets", "Atelier", "Collecte", "Étiquettes", "Recyclage", "Indicateurs",
                    "Paramètres", "Partenariats", "Caisse", "Stock au poids"},
    "landlord": {"Remises"},
}
# people: the door of the self-repair sessions for every staff member, the people pages for coordinators.
MENUS["volunteer"] = MENUS["volunteer"] | {"Autoréparation"}
MENUS["technician"] = MENUS["technician"] | {"Autoréparation"}
MENUS["coordinator"] = MENUS["coordinator"] | {"Personnes"}

# What sticks out of the page or of its own box: the document itself, and any table or table wrapper
# whose content is wider than what it shows (clipped, or to be scrolled sideways inside the page).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) found.push(`page ${document.documentElement.scrollWidth}px`);
  for (const element of document.querySelectorAll("table, .table-wrap, main, .card")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) found.push(`${element.tagName}.${element.className} right at ${box.right}px`);
    if (element.scrollWidth > element.clientWidth + 1) found.push(`${element.tagName}.${element.className} clips ${element.scrollWidth}px`);
  }
  return found;
}"""


def in_view(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["y"] >= 0


def reachable_entries(phone) -> set[str]:
    """The menu's entries a thumb can reach: in the bar, or under "More" once opened; all in view."""
    nav = phone.locator("nav.topnav")
    shown = {link.inner_text().strip() for link in nav.locator("a").all() if link.is_visible() and in_view(link)}
    more = nav.locator(".more-menu summary")
    if more.count() and more.is_visible():
        assert in_view(more)
        more.click()
        shown |= {link.inner_text().strip() for link in nav.locator(".more-panel a").all()
                  if link.is_visible() and in_view(link)}
        more.click()
    return shown


def pages_of(role: str, world, ids, code: str) -> list[str]:  # noqa: F811 (the fixture's value)
    """Every GET URL of the table that this role may open (or is sent on from)."""
    return [url.format(code=code, point_id=world.point_id, batch="b1", **ids)
            for _rule, url, expected in GET_ROUTES if expected[role] in (200, 302)]


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_home_and_reaches_its_whole_menu_on_a_phone(phone, world, ids, item_code, role,  # noqa: F811
                                                                      screenshots):
    sign_in(phone, role)
    if role == "volunteer":  # first today's collection point, then the intake page
        assert phone.url.endswith("/intake/setup")
        phone.select_option("select[name=collection_point_id]", str(world.point_id))
        phone.click("main button[type=submit]")
    phone.wait_for_url(re.compile(re.escape(HOMES[role]) + "$"))
    phone.goto("/")
    assert phone.url.endswith(HOMES[role])
    assert reachable_entries(phone) == MENUS[role]
    assert phone.evaluate(OVERFLOW) == []
    phone.screenshot(path=os.path.join(screenshots, f"home-{role}.png"))

    too_wide = {}
    for url in pages_of(role, world, ids, item_code):
        kind = phone.request.get(url).headers.get("content-type", "")
        if not kind.startswith("text/html"):
            continue  # images, PDF, CSV, JSON, scripts
        phone.goto(url)
        problems = phone.evaluate(OVERFLOW)
        if problems:
            too_wide[url] = problems
        if phone.locator("nav.topnav").count():
            assert reachable_entries(phone) == MENUS[role], url
    assert too_wide == {}
