"""Labels print at the right size on every stock and always scan: read back by a real QR decoder."""

from __future__ import annotations

import io
import os
import socket
import threading
import time
import uuid
from urllib.parse import urlsplit

import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from intake import create_app
from intake.extensions import db
from intake.models import CollectionPoint, IssuedCode, Item, ItemEvent, User
from intake.services.code_register import reserve_codes
from intake.services.label_stock import StockError, load_stocks

from .factories import make_item

BASE_URL = "https://intake.example.org"
STOCKS = load_stocks(os.path.join(os.path.dirname(__file__), "..", "labels"))
MM_PER_PT = 25.4 / 72


@pytest.fixture
def app(app):
    app.config["PUBLIC_BASE_URL"] = BASE_URL
    app.config["LABEL_ORGANISATION"] = "Ressourcerie de la Roseraie"
    return app


@pytest.fixture
def technician(client, auth, world):
    auth.login_as("technician")
    return client


@pytest.fixture
def item(app, world):
    with app.app_context():
        return make_item(world, description="Écran 15″ — très bon état").code


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


def pdf_pages(data: bytes, dpi: int):
    pdf = pypdfium2.PdfDocument(data)
    pages = []
    for page in pdf:
        width_pt, height_pt = page.get_size()
        pages.append(((width_pt * MM_PER_PT, height_pt * MM_PER_PT), page.render(scale=dpi / 72).to_pil()))
    return pages


def test_shipped_stocks_are_the_ones_people_have():
    assert {"brother-dk-11209", "brother-dk-22205", "zebra-50x25", "dymo-99012", "avery-l7160", "avery-l7651",
            "avery-l7163"} <= set(STOCKS)
    assert STOCKS["zebra-50x25"].dpi == 203
    assert (STOCKS["brother-dk-11209"].width_dots, STOCKS["brother-dk-11209"].height_dots) == (696, 271)


@pytest.mark.parametrize("stock", list(STOCKS))
def test_png_scans_back_to_the_item_url(technician, item, stock):
    response = technician.get(f"/i/{item}/label.png?stock={stock}")
    assert response.status_code == 200 and response.content_type == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (STOCKS[stock].width_dots, STOCKS[stock].height_dots)
    assert round(image.info["dpi"][0]) == STOCKS[stock].dpi
    assert decode(image) == [f"{BASE_URL}/i/{item}"]


@pytest.mark.parametrize("stock", list(STOCKS))
def test_pdf_has_the_stock_page_size_and_scans_at_its_dpi(technician, item, stock):
    response = technician.get(f"/i/{item}/label.pdf?stock={stock}")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    pages = pdf_pages(response.data, STOCKS[stock].dpi)
    assert len(pages) == 1
    (width, height), raster = pages[0]
    expected = STOCKS[stock].page_size_mm
    assert abs(width - expected[0]) < 0.1 and abs(height - expected[1]) < 0.1
    assert decode(raster) == [f"{BASE_URL}/i/{item}"]


def qr_centres_mm(raster: Image.Image, dpi: int) -> list[tuple[float, float]]:
    centres = []
    for result in zxingcpp.read_barcodes(raster.convert("L")):
        corners = [result.position.top_left, result.position.bottom_right]
        x = sum(p.x for p in corners) / 2 * 25.4 / dpi
        y = sum(p.y for p in corners) / 2 * 25.4 / dpi
        centres.append((x, y))
    return centres


@pytest.mark.parametrize("skip", [0, 7, 20])
def test_sheet_with_skip_starts_at_the_next_position(technician, item, skip):
    stock = STOCKS["avery-l7160"]
    response = technician.get(f"/i/{item}/label.pdf?stock=avery-l7160&skip={skip}")
    (_, raster), = pdf_pages(response.data, 150)
    (x, y), = qr_centres_mm(raster, 150)
    left, top = stock.sheet.position(skip)
    assert left < x < left + stock.width_mm and top < y < top + stock.height_mm


def test_collection_point_offsets_move_the_labels(app, technician, world, item):
    with app.app_context():
        point = db.session.get(CollectionPoint, world.point_id)
        point.label_offset_x_mm, point.label_offset_y_mm = 3, -2
        db.session.commit()
    from .conftest import csrf_token_from

    technician.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                           "csrf_token": csrf_token_from(technician.get("/intake/setup").get_data(as_text=True))})
    moved = qr_centres_mm(pdf_pages(technician.get(f"/i/{item}/label.pdf?stock=avery-l7163").data, 150)[0][1], 150)[0]
    with app.app_context():
        point = db.session.get(CollectionPoint, world.point_id)
        point.label_offset_x_mm, point.label_offset_y_mm = 0, 0
        db.session.commit()
    plain = qr_centres_mm(pdf_pages(technician.get(f"/i/{item}/label.pdf?stock=avery-l7163").data, 150)[0][1], 150)[0]
    assert abs(moved[0] - plain[0] - 3) < 0.3 and abs(moved[1] - plain[1] + 2) < 0.3


@pytest.mark.parametrize("stock, skip, pages", [("avery-l7160", 0, 5), ("avery-l7160", 10, 6), ("avery-l7651", 0, 2),
                                                ("zebra-50x25", 0, 100)])
def test_a_100_item_batch_fills_the_right_number_of_pages(app, technician, world, stock, skip, pages):
    with app.app_context():
        codes = [make_item(world).code for _ in range(100)]
    response = technician.get("/labels/sheet.pdf", query_string={"stock": stock, "skip": skip, "codes": " ".join(codes)})
    assert response.status_code == 200
    assert len(pypdfium2.PdfDocument(response.data)) == pages
    last = pypdfium2.PdfDocument(response.data)[pages - 1].render(scale=STOCKS[stock].dpi / 72).to_pil()
    assert f"{BASE_URL}/i/{codes[-1]}" in decode(last)


def test_todays_intake_at_my_point(app, technician, world):
    from .conftest import csrf_token_from

    with app.app_context():
        here = [make_item(world).code for _ in range(3)]
        make_item(world, collection_point_id=world.other_point_id)
    technician.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                           "csrf_token": csrf_token_from(technician.get("/intake/setup").get_data(as_text=True))})
    response = technician.get("/labels/sheet.pdf?stock=avery-l7651")
    (_, raster), = pdf_pages(response.data, 300)
    assert sorted(decode(raster)) == sorted(f"{BASE_URL}/i/{code}" for code in here)


def test_long_mixed_description_stays_inside_the_label(app, technician, world):
    text = ("Vélo de ville « Gitane » 🚲🔧 <script>alert('x')</script> jante voilée, frein arrière à régler; "
            "très bon cadre — idéal étudiant·e ✨ ") * 3
    with app.app_context():
        code = make_item(world, description=text[:300], brand="<b>Peugeot</b>").code
    from intake.services.labels import LabelContent, printable_text, render_label

    for stock in STOCKS.values():
        image = Image.open(io.BytesIO(technician.get(f"/i/{code}/label.png?stock={stock.id}").data))
        assert decode(image) == [f"{BASE_URL}/i/{code}"]
        # Nothing drawn in the last half millimetre: no text ran off the edge.
        edge = stock.dots(0.5)
        right_strip = image.convert("L").crop((image.width - edge, 0, image.width, image.height))
        assert right_strip.getextrema()[0] == 255, stock.id
    assert "🚲" not in printable_text(text) and "<script>" in printable_text(text)
    # The same text drawn directly: a long line is shortened, never wrapped past the label.
    label = render_label(STOCKS["avery-l7651"], LabelContent(f"{BASE_URL}/i/{code}", code, (text,)))
    assert label.size == (450, 250)


def test_print_page_lays_labels_out_in_mm(technician, item):
    page = technician.get(f"/labels/print?stock=avery-l7160&skip=4&codes={item}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'class="pos-4" src="/i/{item}/label.png?stock=avery-l7160"' in html
    css = technician.get("/labels/print.css?stock=avery-l7160").get_data(as_text=True)
    assert "@page { size: 210.00mm 297.00mm; margin: 0; }" in css
    assert ".pos-4 { left: 73.500mm; top: 53.600mm; }" in css  # column 2, row 2


def test_calibration_page_per_stock(technician):
    for stock in STOCKS.values():
        response = technician.get(f"/labels/calibration.pdf?stock={stock.id}")
        (size, raster), = pdf_pages(response.data, 72)
        assert abs(size[0] - stock.page_size_mm[0]) < 0.1 and abs(size[1] - stock.page_size_mm[1]) < 0.1
        assert raster.convert("L").getextrema()[0] < 128  # outlines and rulers were drawn


def test_unknown_stock_or_code_is_404(technician, item):
    assert technician.get(f"/i/{item}/label.png?stock=nope").status_code == 404
    assert technician.get("/i/ZZZZZZ/label.png").status_code == 404
    assert technician.get("/labels/sheet.pdf?codes=not-a-code").status_code == 400


def test_malformed_stock_file_stops_the_app_naming_file_and_field(tmp_path, monkeypatch):
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "broken.toml").write_text('id = "x"\nname = "X"\nkind = "roll"\ndpi = 300\n[label]\nwidth_mm = "wide"\nheight_mm = 20\n')
    monkeypatch.setenv("INTAKE_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(StockError, match=r"broken.toml: field 'label.width_mm' must be a float"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "LABELS_DIR": str(folder)})
    (folder / "broken.toml").write_text('id = "x"\nname = "X"\nkind = "sheet"\ndpi = 300\n[label]\nwidth_mm = 60\nheight_mm = 20\n')
    with pytest.raises(StockError, match=r"broken.toml: field 'sheet.page_width_mm' is missing"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "LABELS_DIR": str(folder)})


# --- Pre-printed codes -------------------------------------------------------------------------

@pytest.fixture
def blank_codes(app, world):
    with app.app_context():
        return reserve_codes(db.session, 3, batch="run1", user=db.session.get(User, world.user_ids["coordinator"]))


def api_intake(client, token, world, **changes):
    body = {"client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": 0.2, "grade": "B",
            "collection_point_id": world.point_id, **changes}
    return client.post("/api/v1/items", json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def token(app, world):
    from intake.services.accounts import issue_token

    with app.app_context():
        return issue_token(db.session, db.session.get(User, world.user_ids["volunteer"]))


def test_preprinted_code_binds_once(app, client, world, blank_codes, token):
    code = blank_codes[0]
    first = api_intake(client, token, world, code=code.lower())
    assert first.status_code == 201 and first.get_json()["code"] == code
    second = api_intake(client, token, world, code=code)
    assert second.status_code == 422
    assert "déjà sur un autre objet" in second.get_json()["errors"]["json"]["code"][0]
    with app.app_context():
        issued = db.session.get(IssuedCode, code)
        assert issued.item_id is not None and issued.bound_at is not None


def test_unknown_or_mistyped_codes_are_refused(app, client, world, blank_codes, token):
    from intake.services.codes import check_symbol

    never_printed = "ABCDE" + check_symbol("ABCDE")
    assert "jamais été imprimé" in api_intake(client, token, world, code=never_printed).get_json()["errors"]["json"]["code"][0]
    typo = blank_codes[0][:-1] + ("2" if blank_codes[0][-1] != "2" else "3")
    assert "pas valide" in api_intake(client, token, world, code=typo).get_json()["errors"]["json"]["code"][0]
    with app.app_context():
        assigned = make_item(world).code  # drawn at intake, not pre-printed: cannot be bound again
    assert api_intake(client, token, world, code=assigned).status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 1


def test_replaying_a_bound_intake_returns_the_item(client, world, blank_codes, token):
    body = {"client_uuid": str(uuid.uuid4()), "category_id": world.phone_id, "weight_kg": 0.2, "grade": "B",
            "collection_point_id": world.point_id, "code": blank_codes[1]}
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/items", json=body, headers=headers).status_code == 201
    replay = client.post("/api/v1/items", json=body, headers=headers)
    assert replay.status_code == 200 and replay.get_json()["code"] == blank_codes[1]


def test_two_intakes_racing_for_one_sticker(app, world, blank_codes, token):
    from concurrent.futures import ThreadPoolExecutor

    def post(_):
        with app.test_client() as own:
            return api_intake(own, token, world, code=blank_codes[2]).status_code

    with ThreadPoolExecutor(max_workers=6) as executor:
        statuses = sorted(executor.map(post, range(6)))
    assert statuses == [201] + [422] * 5


def test_new_codes_never_take_a_reserved_one(app, world, monkeypatch, blank_codes, token, client):
    from intake.services import intake as intake_service

    from intake.services.codes import check_symbol

    draws = iter([blank_codes[0], blank_codes[1], "K7M2Q" + check_symbol("K7M2Q")])
    monkeypatch.setattr(intake_service, "new_code", lambda: next(draws))
    response = api_intake(client, token, world)
    assert response.status_code == 201 and response.get_json()["code"].startswith("K7M2Q")


def test_coordinator_reserves_and_prints_a_run(app, client, auth, world):
    from .conftest import csrf_token_from

    auth.login_as("coordinator")
    page = client.get("/labels/preprinted").get_data(as_text=True)
    response = client.post("/labels/preprinted", data={"count": 65, "stock": "avery-l7651",
                                                       "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    batch_id = response.headers["Location"].rsplit("/", 1)[1]
    assert "0 sur 65 attribuées" in client.get(response.headers["Location"]).get_data(as_text=True)
    pdf = client.get(f"/labels/sheet.pdf?stock=avery-l7651&batch={batch_id}")
    (_, raster), = pdf_pages(pdf.data, 300)
    with app.app_context():
        codes = set(db.session.scalars(sa.select(IssuedCode.code).where(IssuedCode.batch == batch_id)))
    assert {text.rsplit("/", 1)[1] for text in decode(raster)} == codes
    assert len(codes) == 65
    # The list of runs holds this run, and none of the codes drawn for items (they have no run).
    with app.app_context():
        drawn = make_item(world).code
    listing = client.get("/labels/preprinted").get_data(as_text=True)
    assert f"/labels/preprinted/{batch_id}" in listing and listing.count("/labels/preprinted/") == 1
    assert drawn not in listing


# --- Network printers ---------------------------------------------------------------------------

class Listener:
    """A local TCP server standing in for a printer: it keeps every byte it receives."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        connection, _ = self.server.accept()
        with connection:
            while chunk := connection.recv(65536):
                self.received += chunk

    def close(self):
        self.thread.join(timeout=5)
        self.server.close()


def set_printer(app, world, uri, stock):
    # The test printers listen on this machine, on a port of their own: a local print server.
    app.config["PRINTER_ALLOW_LOCAL"] = True
    app.config["PRINTER_PORTS"] = [9100, urlsplit(uri).port or 9100]
    with app.app_context():
        point = db.session.get(CollectionPoint, world.point_id)
        point.printer_uri, point.printer_stock = uri, stock
        db.session.commit()


def print_item(client, auth, world, code):
    from .conftest import csrf_token_from

    client.post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                       "csrf_token": csrf_token_from(client.get("/intake/setup").get_data(as_text=True))})
    page = client.get(f"/i/{code}").get_data(as_text=True)
    return client.post(f"/i/{code}/print", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True)


def label_events(app, code):
    with app.app_context():
        return db.session.scalars(sa.select(ItemEvent.kind).join(Item).where(Item.code == code,
                                                                            ItemEvent.kind == "label_printed")).all()


def test_brother_printer_gets_a_raster_that_reads_back(app, technician, auth, world, item, tmp_path, monkeypatch):
    from brother_ql.reader import BrotherQLReader

    listener = Listener()
    set_printer(app, world, f"brother-ql://127.0.0.1:{listener.port}?model=QL-820NWB", "brother-dk-11209")
    response = print_item(technician, auth, world, item)
    listener.close()
    assert "Étiquette envoyée à l&#39;imprimante." in response.get_data(as_text=True)
    monkeypatch.chdir(tmp_path)  # the reader writes the pages it decodes as PNG files
    BrotherQLReader(io.BytesIO(listener.received)).analyse()
    page = Image.open(tmp_path / "label0001.png")
    assert decode(page) == [f"{BASE_URL}/i/{item}"]
    assert label_events(app, item) == ["label_printed"]


def test_zebra_printer_gets_zpl_with_the_label_bitmap(app, technician, auth, world, item):
    listener = Listener()
    set_printer(app, world, f"zpl://127.0.0.1:{listener.port}", "zebra-50x25")
    print_item(technician, auth, world, item)
    listener.close()
    job = listener.received.decode()
    assert job.startswith("^XA") and job.endswith("^XZ")
    header, rest = job.split("^GFA,", 1)
    total, _, row_bytes, data = rest.split(",", 3)
    hex_data = data.split("^FS", 1)[0]
    assert len(hex_data) == 2 * int(total)
    width, height = STOCKS["zebra-50x25"].width_dots, STOCKS["zebra-50x25"].height_dots
    assert f"^PW{width}^LL{height}" in header
    raw = bytes(b ^ 0xFF for b in bytes.fromhex(hex_data))  # ZPL: 1 = black; PIL "1": 1 = white
    image = Image.frombytes("1", (int(row_bytes) * 8, height), raw).crop((0, 0, width, height))
    assert decode(image) == [f"{BASE_URL}/i/{item}"]


def test_unreachable_printer_says_so_quickly_and_offers_the_pdf(app, technician, auth, world, item):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there any more
    set_printer(app, world, f"zpl://127.0.0.1:{port}", "zebra-50x25")
    started = time.monotonic()
    response = print_item(technician, auth, world, item)
    assert time.monotonic() - started < 5
    html = response.get_data(as_text=True)
    assert "n&#39;a pas répondu. Rien n&#39;a été imprimé" in html
    assert f"/i/{item}/label.pdf?stock=zebra-50x25" in html
    assert label_events(app, item) == []


def test_silent_printer_times_out_within_the_limit(app, technician, auth, world, item, monkeypatch):
    """A printer that never answers (switched off on a network that drops packets) is given up on in time."""
    from intake.services import printers

    def hangs_until_timeout(address, timeout):
        time.sleep(timeout)
        raise socket.timeout("timed out")

    app.config["PRINTER_TIMEOUT"] = 1.0
    monkeypatch.setattr(printers.socket, "create_connection", hangs_until_timeout)
    set_printer(app, world, "zpl://192.168.1.51:9100", "zebra-50x25")
    started = time.monotonic()
    response = print_item(technician, auth, world, item)
    assert time.monotonic() - started < 3
    assert "Rien n&#39;a été imprimé" in response.get_data(as_text=True)
