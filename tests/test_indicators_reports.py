"""Reports built on the indicators: partner report (page and PDF), public results, waste register (every
field of the arrêté, tonnes, retention), ORDS export, CSV exports, emission factors."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pypdfium2
import sqlalchemy as sa

from intake.extensions import db
from intake.models import Item, Organisation, RecyclingBatch
from intake.services.reporting.ords import PRODUCT_CATEGORIES, REPAIR_STATUSES
from intake.services.reporting.pdf import french

from .conftest import csrf_token_from
from .factories import make_item
from .test_indicators import data  # noqa: F401  (the hand-built data set)

PERIOD = "start=2026-01-01&end=2026-06-30"


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def csv_rows(response, delimiter=";"):
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_partner_report_page_and_pdf(app, client, auth, data):
    auth.login_as("coordinator")
    page = client.get(f"/partners/{data['decathlon']}/report?{PERIOD}").get_data(as_text=True)
    assert "Ce que sont devenus les dons de Décathlon" in page
    # Two bikes brought (28 kg): one sold, one dismantled; its effect: 3.0 items a month before, 1.0 after.
    assert "28 kg" in page and "Vendu" in page and "Démonté pour pièces" in page
    pdf = client.get(f"/partners/{data['decathlon']}/report.pdf?{PERIOD}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert b"DejaVu" in pdf.data  # a real font, embedded
    text = pdf_text(pdf.data)
    assert "Décathlon a apporté 2 objets, 28 kg. Une seconde vie (vendus ou remis) : 1 d’entre eux, 14 kg." in text
    # French typography: a no-break space before the colon, accents whole.
    assert french("Total : 3 ; oui ! « non » ?") == "Total\u00a0: 3\u202f; oui\u202f! «\u00a0non\u00a0»\u202f?"
    assert client.get("/partners/999999/report").status_code == 404


def test_public_results_name_only_partners_who_agreed(app, client, data, world):
    page = client.get("/results?year=2026").get_data(as_text=True)
    assert "Nos résultats" in page
    # Nobody agreed yet: partners are counted together, never named.
    for name in ("Décathlon", "Police municipale", "Orange"):
        assert name not in page
    assert "Autres partenaires" in page
    with app.app_context():
        db.session.get(Organisation, data["decathlon"]).public_name_consent = True
        db.session.commit()
    page = client.get("/results?year=2026").get_data(as_text=True)
    assert "Décathlon" in page and "Police municipale" not in page and "Orange" not in page
    # Nothing personal: no account, no collection point, no tenant, no price of a single sale.
    for private in ("Volunteer Test", "Technician Test", "Point Bourg", "Ressourcerie centre", "LOC-", "80,00"):
        assert private not in page
    # Filters other than the period are ignored: nobody can single out a place.
    def main(html):
        return html[html.index("<main"):html.index("</main>")]
    assert main(client.get(f"/results?year=2026&point={data['p_ville']}").get_data(as_text=True)) == main(page)


def test_waste_register_has_every_field_of_the_arrete_in_tonnes(app, client, auth, data):
    auth.login_as("coordinator")
    header, *rows = csv_rows(client.get(f"/register.csv?{PERIOD}"))
    for field in ("Date d’expédition", "Dénomination usuelle du déchet", "Code du déchet (R.541-7)", "Déchet dangereux",
                  "Contient des polluants organiques persistants (POP)", "Quantité (t)", "Quantité (kg)",
                  "N° de bordereau de suivi", "Expéditeur (raison sociale)", "SIRET de l’expéditeur",
                  "Adresse de l’expéditeur", "Adresse de prise en charge", "Éco-organisme (raison sociale)",
                  "SIREN de l’éco-organisme", "Installation de destination (raison sociale)",
                  "SIRET de l’installation de destination", "Adresse de l’installation de destination",
                  "Code du traitement (R/D)", "Transporteur (raison sociale)", "SIREN du transporteur",
                  "Adresse du transporteur", "Numéro de récépissé du transporteur"):
        assert any(column.startswith(field) for column in header), field
    assert len(rows) == 2
    by_code = {row[header.index("Code du déchet (R.541-7)")]: row for row in rows}
    other = by_code["20 03 07"]
    # Weighed at pickup: 15 kg, 0,015 t (not the 20 kg logged).
    assert other[header.index("Quantité (t)")] == "0,015000" and other[header.index("Quantité (kg)")] == "15,000"
    assert other[header.index("SIREN de l’éco-organisme")] == "830300000"
    assert by_code["20 01 36"][header.index("Code du traitement (R/D)")] == "D10"
    pdf = client.get(f"/register.pdf?{PERIOD}")
    assert pdf.status_code == 200 and "Registre des déchets" in pdf_text(pdf.data)
    # Outside the range: nothing.
    assert len(csv_rows(client.get("/register.csv?start=2026-03-01&end=2026-06-30"))) == 1


def test_register_lines_are_completed_and_kept_three_years(app, client, auth, data, world):
    auth.login_as("coordinator")
    with app.app_context():
        batch_id = db.session.scalar(sa.select(RecyclingBatch.id).where(RecyclingBatch.waste_code == "20 03 07"))
    form = client.get(f"/register/{batch_id}").get_data(as_text=True)
    token = csrf_token_from(form)
    refused = client.post(f"/register/{batch_id}", data={"csrf_token": token, "treatment_code": "X9",
                                                        "carrier_siren": "12"})
    assert refused.status_code == 200 and "R1 à R13" in refused.get_data(as_text=True)
    saved = client.post(f"/register/{batch_id}", data={
        "csrf_token": token, "treatment_code": "r 4", "destination_name": "Recyclerie régionale",
        "destination_siret": "732 829 320 00074", "carrier_name": "=Transports", "carrier_siren": "552100554",
        "carrier_receipt": "R-49-2026"})
    assert saved.status_code == 302
    header, *rows = csv_rows(client.get(f"/register.csv?{PERIOD}"))
    line = next(row for row in rows if row[header.index("Code du déchet (R.541-7)")] == "20 03 07")
    assert line[header.index("Code du traitement (R/D)")] == "R4"
    assert line[header.index("SIRET de l’installation de destination")] == "73282932000074"
    assert line[header.index("Transporteur (raison sociale)")] == "'=Transports"  # inert in a spreadsheet
    # Picked up in February 2026: kept until 2029, the deletion is refused and the line stays.
    refused = client.post(f"/register/{batch_id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "ne peut pas être supprimée" in refused.get_data(as_text=True)
    with app.app_context():
        batch = db.session.get(RecyclingBatch, batch_id)
        assert batch is not None
        batch.pickup_on = date(2026, 7, 1) - timedelta(days=3 * 366)
        db.session.commit()
    client.post(f"/register/{batch_id}/delete", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(RecyclingBatch, batch_id) is None
        assert db.session.scalar(sa.select(sa.func.count(Item.id)).where(Item.status == "recycled")) == 3


def test_ords_export_follows_the_standard(app, client, auth, data, world, freeze_clock):
    auth.login_as("technician")
    with app.app_context():
        code = make_item(world, role="volunteer").code
    page = client.get(f"/i/{code}").get_data(as_text=True)
    assert 'name="repair_outcome"' in page and 'name="problem"' in page
    client.post(f"/i/{code}/status", data={"csrf_token": csrf_token_from(page), "to": "diagnosing",
                                           "seen_status": "received", "repair_outcome": "repairable",
                                           "problem": "=Écran fissuré, pièce commandée"})
    auth.login_as("coordinator")
    response = client.get("/exports/ords.csv?start=2026-01-01&end=2026-12-31")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["id", "data_provider", "country", "partner_product_category", "product_category",
                             "product_category_id", "brand", "year_of_manufacture", "product_age", "repair_status",
                             "repair_barrier_if_end_of_life", "group_identifier", "problem", "event_date",
                             "record_date"]
    for row in rows:
        for required in ("id", "data_provider", "country", "product_category", "repair_status", "group_identifier",
                         "event_date"):
            assert row[required], (required, row)
        assert row["repair_status"] in REPAIR_STATUSES
        assert PRODUCT_CATEGORIES[row["product_category"]] == int(row["product_category_id"])
        assert row["country"] == "FRA" and len(row["event_date"]) == 10
    # The phones only (bikes have no ORDS category): #1 and #2 fixed (diagnosed, then ready), and the
    # technician's "repairable" with its problem, neutralised for spreadsheets. Phone #3 went to recycling
    # straight from the drop-off: no repair was attempted, no record.
    statuses = sorted(row["repair_status"] for row in rows)
    assert statuses == ["Fixed", "Fixed", "Repairable"]
    repairable = next(row for row in rows if row["repair_status"] == "Repairable")
    assert repairable["problem"] == "'=Écran fissuré, pièce commandée" and repairable["product_category"] == "Mobile"


def test_item_and_event_exports_are_inert_csv(app, client, auth, world):
    with app.app_context():
        make_item(world, brand="=HYPERLINK(\"http://x\")", model="+1", description="-2")
    auth.login_as("coordinator")
    header, *rows = csv_rows(client.get("/exports/items.csv?start=2026-01-01&end=2027-12-31"))
    assert header[0] == "Code" and "Marque" in header
    assert rows[0][header.index("Marque")] == "'=HYPERLINK(\"http://x\")" and rows[0][header.index("Modèle")] == "'+1"
    header, *rows = csv_rows(client.get("/exports/events.csv?start=2026-01-01&end=2027-12-31"))
    assert header[:3] == ["Code", "Date", "Événement"] and rows
    assert "<" not in client.get("/exports/items.csv").get_data(as_text=True)


def test_coordinators_set_their_own_emission_factor(app, client, auth, data, world):
    auth.login_as("coordinator")
    token = csrf_token_from(client.get("/indicators/factors").get_data(as_text=True))
    refused = client.post("/indicators/factors", data={"csrf_token": token, "category_id": world.bike_id,
                                                       "kg_co2e_per_kg": "2,5", "source": ""}, follow_redirects=True)
    assert "Indiquez la source du facteur" in refused.get_data(as_text=True)
    client.post("/indicators/factors", data={"csrf_token": token, "category_id": world.bike_id,
                                             "kg_co2e_per_kg": "2,5", "source": "ADEME, étude vélos 2024"})
    lines = csv_rows(client.get(f"/indicators/impact.csv?{PERIOD}"))
    bikes = next(line for line in lines if line[0] == "Vélo")
    # 14 kg of bike sold × 2.5 = 35 kg CO2e.
    assert bikes[1:4] == ["14,000", "2,500", "35,0"] and bikes[4] == "ADEME, étude vélos 2024"
    page = client.get("/indicators/factors").get_data(as_text=True)
    assert "ADEME, étude vélos 2024" in page and "The Restart Project" in page


def test_the_register_page_shows_its_lines_fifty_at_a_time(app, client, auth, world):
    """A year of batches is read whole (its counts cover the period) and shown a page at a time: the next
    page starts where the last ended, and the CSV still holds every line."""
    with app.app_context():
        eco = Organisation(name="ecosystem", kind="eco_organism", siren="830300000")
        db.session.add(eco)
        db.session.flush()
        db.session.add_all(RecyclingBatch(eco_organism_id=eco.id, pickup_on=date(2026, 1, 1) + timedelta(days=n),
                                          stream="small", waste_code="20 01 36", state="closed", weighed_kg=n + 1,
                                          slip_number=f"BSD-{n:03}", created_by_id=world.user_ids["coordinator"])
                           for n in range(60))
        db.session.commit()
    auth.login_as("coordinator")
    period = "start=2026-01-01&end=2026-12-31"
    first = client.get(f"/register?{period}").get_data(as_text=True)
    assert "Lignes sur la période : 60" in first and "lignes 1 à 50" in first
    assert "BSD-000" in first and "BSD-049" in first and "BSD-050" not in first
    assert "champs demandés" in first  # the empty fields of the whole period are counted
    following = client.get(f"/register?{period}&after=50").get_data(as_text=True)
    assert "lignes 51 à 60" in following and "BSD-050" in following and "BSD-059" in following
    assert "BSD-049" not in following and "Lignes suivantes" not in following and "Premières lignes" in following
    assert 'rel="next"' in first and "after=50" in first
    header, *rows = csv_rows(client.get(f"/register.csv?{period}"))
    assert len(rows) == 60
