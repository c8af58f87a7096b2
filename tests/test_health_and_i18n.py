"""Health check, languages, French formats, and the translation catalogue."""

from __future__ import annotations

from decimal import Decimal

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from intake import create_app

from .factories import make_item


def test_healthz_is_503_when_the_database_is_gone(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/db.sqlite3"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_french_by_default_english_on_request(client, auth, world):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Se connecter" in page
    token = auth.csrf_token("/login")
    response = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    # An unknown language changes nothing; an outside "next" is ignored.
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example", "csrf_token": token})
    assert response.headers["Location"] == "/"
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_language_switch_needs_csrf(client):
    assert client.post("/language", data={"lang": "en"}).status_code == 400


def test_templates_translate_in_the_language_of_the_moment(app):
    """Templates find the request's catalogue once, and again when the language changes within it."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    template = '{{ _("Sign in") }} {{ _("Erased on %(date)s", date="<b>") }}'
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert render_template_string(template) == "Se connecter Effacées le &lt;b&gt;"
        with force_locale("en"):
            assert render_template_string(template) == "Sign in Erased on &lt;b&gt;"
        assert render_template_string(template).startswith("Se connecter")
        refresh()
        assert render_template_string(template).startswith("Se connecter")
    with app.app_context():  # no request: the default language, as Flask-Babel gives it
        assert render_template_string('{{ _("Sign in") }}') == "Se connecter"


def test_weights_and_dates_read_as_babel_writes_them(app):
    """Formats read once per language give what Babel's own functions give, in each language and season."""
    from datetime import UTC, datetime

    from babel.dates import format_datetime
    from flask_babel import force_locale, format_decimal, get_locale, get_timezone

    from intake.formatting import format_local_datetime, format_weight

    moments = [datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
               datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
               datetime(2026, 7, 1, 12, 5)]  # the last one naive: read as UTC, as Babel does
    weights = [Decimal(0), Decimal("2.5"), Decimal("1234.5"), Decimal("0.0005"), 1234567.125, 3]
    with app.test_request_context("/"):
        for language in ("fr", "en"):
            with force_locale(language):
                for moment in moments:
                    assert format_local_datetime(moment) == format_datetime(
                        moment, "short", tzinfo=get_timezone(), locale=get_locale())
                for weight in weights:
                    assert format_weight(weight) == f"{format_decimal(weight, format='#,##0.###')} kg"
        assert format_local_datetime(moments[0]) == "29/03/2026 01:59"
        assert format_local_datetime(moments[1]) == "29/03/2026 03:00"


def test_item_page_uses_french_numbers_and_dates(app, client, auth, world):
    with app.app_context():
        item = make_item(world, weight_kg=Decimal("1234.5"), weight_confirmed=True)
        code, created = item.code, item.created_at
    auth.login_as("volunteer")
    page = client.get(f"/i/{code}").get_data(as_text=True)
    assert "1\u202f234,5 kg" in page
    from zoneinfo import ZoneInfo

    local = created.astimezone(ZoneInfo("Europe/Paris"))
    assert local.strftime("%d/%m/%Y %H:%M") in page


def test_every_message_is_translated_and_compiled():
    with open("intake/translations/fr/LC_MESSAGES/messages.po", "rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    with open("intake/translations/fr/LC_MESSAGES/messages.mo", "rb") as mo_file:
        compiled = read_mo(mo_file)
    assert {m.id: m.string for m in compiled if m.id} == {m.id: m.string for m in catalog if m.id}


def test_every_template_and_module_message_is_in_the_catalogue():
    """A new _() string must reach the French catalogue (make translations)."""
    from babel.messages.extract import extract_from_dir

    with open("intake/translations/fr/LC_MESSAGES/messages.po", "rb") as po_file:
        known = {m.id for m in read_po(po_file, locale="fr") if m.id}
    method_map = [("intake/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ".", method_map=method_map, keywords={"_": None, "_l": None, "gettext": None,
                                                  "lazy_gettext": None, "ngettext": (1, 2)}):
        found.add(message if isinstance(message, str) else message[0])
    assert found - known == set()
