"""Finding items: by code (whole or part), brand, model, serial, category, source and dates; pages keep the filters."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from intake.services.items import SEARCH_PAGE_SIZE

from .factories import email_for, make_item
from .test_queries import counted_queries


def codes_on(page: str) -> list[str]:
    return re.findall(r'<span class="code small">(\w+)</span>', page)


@pytest.fixture
def items(app, world):
    with app.app_context():
        made = {
            "fairphone": make_item(world, brand="Fairphone", model="FP3", serial_number="FP3-0042",
                                   source_id=world.partner_id),
            "samsung": make_item(world, brand="Samsung", model="Galaxy S9", serial_number="R58M12"),
            "bike": make_item(world, category_id=world.bike_id, weight_kg=Decimal("14"), brand="Peugeot",
                              logged_at=datetime(2026, 3, 2, 10, tzinfo=timezone.utc)),
            "elsewhere": make_item(world, brand="Fairphone", collection_point_id=world.other_point_id),
        }
        return {name: item.code for name, item in made.items()}


@pytest.fixture
def signed_in(client, auth, world):
    auth.login(email_for("volunteer"))
    client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                       "csrf_token": auth.csrf_token("/intake/setup")})
    return client


@pytest.mark.parametrize("query, expected", [
    ("fairphone", ["fairphone"]),  # brand, any case, at my point
    ("galaxy", ["samsung"]),  # model
    ("r58m", ["samsung"]),  # start of a serial number
    ("FP3-", ["fairphone"]),
    ("%", []),  # wildcards are searched as typed
])
def test_text_finds_brand_model_and_serial(signed_in, items, query, expected):
    page = signed_in.get("/items", query_string={"q": query}).get_data(as_text=True)
    assert sorted(codes_on(page)) == sorted(items[name] for name in expected)


def test_a_whole_or_partial_code_finds_its_item(signed_in, items):
    code = items["samsung"]
    assert codes_on(signed_in.get("/items", query_string={"q": code.lower()}).get_data(as_text=True)) == [code]
    part = code[1:4]
    found = codes_on(signed_in.get("/items", query_string={"q": part, "all": 1}).get_data(as_text=True))
    assert code in found and all(part in other for other in found)


def test_filters_by_category_source_dates_and_everywhere(signed_in, items, world):
    by_category = codes_on(signed_in.get("/items", query_string={"category": world.bike_id}).get_data(as_text=True))
    assert by_category == [items["bike"]]
    by_source = codes_on(signed_in.get("/items", query_string={"source": world.partner_id}).get_data(as_text=True))
    assert by_source == [items["fairphone"]]
    private = codes_on(signed_in.get("/items", query_string={"source": "private"}).get_data(as_text=True))
    assert items["fairphone"] not in private and items["samsung"] in private
    march = codes_on(signed_in.get("/items", query_string={"since": "2026-03-01", "until": "2026-03-31"})
                     .get_data(as_text=True))
    assert march == [items["bike"]]
    everywhere = codes_on(signed_in.get("/items", query_string={"q": "fairphone", "all": 1}).get_data(as_text=True))
    assert sorted(everywhere) == sorted([items["fairphone"], items["elsewhere"]])


def test_a_bad_date_is_said_and_the_list_still_shows(signed_in, items):
    response = signed_in.get("/items", query_string={"since": "31/02/2026"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="error"' in page and len(codes_on(page)) == 3


def test_pages_keep_the_filters(app, signed_in, world):
    with app.app_context():
        codes = [make_item(world, brand="Nokia").code for _ in range(SEARCH_PAGE_SIZE + 3)]
        make_item(world, brand="Apple")
    first = signed_in.get("/items", query_string={"q": "nokia"}).get_data(as_text=True)
    assert len(codes_on(first)) == SEARCH_PAGE_SIZE
    older = re.search(r'href="([^"]*after=[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "q=nokia" in older
    second = codes_on(signed_in.get(older).get_data(as_text=True))
    assert len(second) == 3 and set(second) <= set(codes)


def test_a_search_is_one_bounded_query_and_no_count(app, signed_in, items):
    with counted_queries(app) as statements:
        assert signed_in.get("/items", query_string={"q": "fair", "category": 0, "source": ""}).status_code == 200
    searches = [s for s in statements if "FROM item" in s and "LIMIT" in s]
    assert len(searches) == 1
    assert not [s for s in statements if "count(" in s.lower() and "FROM item" in s]
