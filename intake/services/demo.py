"""Realistic French demo data drawn from the seed's four initiatives."""

from __future__ import annotations

import io
import random
import uuid
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from ..models import Category, CollectionPoint, Container, Item, Membership, Organisation, Territory, User
from ..clock import local_date, local_today, now_utc
from .accounts import create_user
from .catalogue import install_default_categories, set_tile_order
from .intake import Donation, register_donation
from .outcomes import Acceptance, mark_attended, plan_session, record_handover, record_sale
from .recycling import add_all_waiting, close_batch, open_batch
from .status import change_status, checklist_for, record_checklist, record_erasure
from .demo_volume import fill_volume
from .structure import save_structure

DEMO_PASSWORD = "demo-intake-2026"
# Items beyond these are written in bulk (services/demo_volume.py), for benchmarks.
SERVICE_ITEMS = 300
# In bulk, partners that joined along the way (days ago), and those who agreed to be named publicly.
NEWCOMERS = {"Décathlon Clichy": 540, "La Poste, plateforme de Clichy": 420, "Police municipale de Clichy": 300}

ORGANISATIONS = [
    # name, kind, city, postcode, siren
    ("Le Toit Angevin", "social_landlord", "Angers", "49000", None),
    ("Angers Loire Habitat", "social_landlord", "Angers", "49000", None),
    ("Atelier vélo BicyclAide", "association", "Clichy", "92110", None),
    ("Décathlon Clichy", "retailer", "Clichy", "92110", None),
    ("Police municipale de Clichy", "public_service", "Clichy", "92110", None),
    ("La Poste, plateforme de Clichy", "public_service", "Clichy", "92110", None),
    ("Ateliers du Bocage", "insertion_workshop", "Le Pin", "79140", None),
    ("Numericable", "telecom_operator", "Paris", "75015", None),
    ("Orange, boutique de Bressuire", "telecom_operator", "Bressuire", "79300", None),
    ("Eco-Systèmes", "eco_organism", "Paris", "75008", "489652818"),
    ("Emmaüs Angers", "association", "Angers", "49000", None),
    ("Envie Anjou", "insertion_workshop", "Angers", "49000", None),
    ("Cyber Centre de la Roseraie", "association", "Angers", "49000", None),
    ("Terres des Sciences", "association", "Angers", "49000", None),
    ("Ville d'Angers", "municipality", "Angers", "49000", None),
    ("Angers Loire Métropole", "epci", "Angers", "49000", None),
    ("Département de Maine-et-Loire", "department", "Angers", "49000", None),
    ("Région Pays de la Loire", "region", "Nantes", "44000", None),
    ("Parc naturel régional Loire-Anjou-Touraine", "regional_park", "Montsoreau", "49730", None),
    ("Entreprise Dupont Informatique", "other", "Avrillé", "49240", None),
]

TERRITORIES = [
    ("Angers", "49007", 157175, "dense_urban"),
    ("Clichy", "92024", 63089, "dense_urban"),
    ("Avrillé", "49015", 14117, "semi_urban"),
    ("Bressuire", "79049", 19497, "semi_urban"),
    ("Le Pin", "79210", 1120, "rural"),
]

COLLECTION_POINTS = [
    # name, host organisation, territory, address
    ("Ressourcerie de la Roseraie", "Emmaüs Angers", "Angers", "12 rue de la Roseraie, 49000 Angers"),
    ("Atelier BicyclAide", "Atelier vélo BicyclAide", "Clichy", "8 rue Martre, 92110 Clichy"),
    ("Déchèterie de Bressuire", "Ateliers du Bocage", "Bressuire", "Zone de Saint-Porchaire, 79300 Bressuire"),
    ("Mairie du Pin", "Ateliers du Bocage", "Le Pin", "Place de la Mairie, 79140 Le Pin"),
    ("Point de collecte d'Avrillé", "Envie Anjou", "Avrillé", "Avenue Pierre Mendès France, 49240 Avrillé"),
]

CONTAINERS = [("Carton", "0.3"), ("Caisse plastique", "1.2"), ("Bac roulant", "12"), ("Chariot", "18")]

USERS = [
    ("coordination@demo.intake.fr", "Camille Martin", "coordinator", None),
    ("benevole@demo.intake.fr", "Léa Bernard", "volunteer", None),
    ("technicien@demo.intake.fr", "Karim Haddad", "technician", None),
    ("bailleur@demo.intake.fr", "Sophie Leroy", "landlord", "Le Toit Angevin"),
]

# Which sources feed which collection point, with their weight in the flow:
# one partner dominating a point shows the dependency risk in the reports.
SUPPLY = {
    "Ressourcerie de la Roseraie": [(None, 5), ("Le Toit Angevin", 3), ("Ville d'Angers", 1), ("Entreprise Dupont Informatique", 2)],
    "Atelier BicyclAide": [("Décathlon Clichy", 4), ("Police municipale de Clichy", 2), ("La Poste, plateforme de Clichy", 2), (None, 2)],
    "Déchèterie de Bressuire": [(None, 6), ("Orange, boutique de Bressuire", 2), ("Eco-Systèmes", 1)],
    "Mairie du Pin": [(None, 4), ("Numericable", 5)],
    "Point de collecte d'Avrillé": [(None, 3), ("Angers Loire Habitat", 2), ("Entreprise Dupont Informatique", 1)],
}
FAVOURITE_CATEGORIES = {
    "Atelier BicyclAide": ["Vélo"],
    "Mairie du Pin": ["Téléphone mobile", "Cartouche d'impression"],
    "Ressourcerie de la Roseraie": ["Ordinateur portable", "Ordinateur fixe", "Vêtements", "Livres, revues, BD"],
}
BRANDS = {
    "Téléphone mobile": ["Samsung", "Apple", "Xiaomi", "Nokia", "Wiko"],
    "Ordinateur portable": ["Lenovo", "HP", "Dell", "Asus", "Acer"],
    "Ordinateur fixe": ["Dell", "HP", "Lenovo"],
    "Vélo": ["B'Twin", "Peugeot", "Gitane", "Motobécane"],
    "Petit électroménager": ["Moulinex", "Seb", "Philips", "Rowenta"],
}


def demo_logins(session: Session) -> list[tuple[str, str]]:
    """The demo accounts still present and active, as (e-mail, role)."""
    emails = [email for email, *_ in USERS]
    rows = session.execute(sa.select(User.email, Membership.role).join(User.memberships)
                           .where(User.email.in_(emails), User.active))
    return sorted(((row.email, row.role) for row in rows), key=lambda login: emails.index(login[0]))


def _demo_structure(session: Session) -> None:
    """The structure running the demo, with a logo drawn here (its SIRET is made up, with a right key)."""
    logo = Image.new("RGBA", (240, 96), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((8, 8, 88, 88), fill=(46, 125, 50, 255))
    draw.polygon([(48, 22), (72, 70), (24, 70)], fill=(255, 255, 255, 255))
    draw.rectangle((104, 30, 228, 42), fill=(46, 125, 50, 255))
    draw.rectangle((104, 54, 196, 66), fill=(120, 144, 156, 255))
    png = io.BytesIO()
    logo.save(png, "PNG")
    save_structure(session, name="Ressourcerie de la Roseraie", siret="90000000100017",
                   address="12 rue de la Roseraie", postcode="49000", city="Angers", phone="02 41 00 00 00",
                   email="contact@roseraie.example.org", name_on_labels=True, logo=png.getvalue())


def build_demo(session: Session, *, item_count: int = 300, seed: int = 2026) -> list[tuple[str, str]]:
    """Create the demo on an empty database; returns (e-mail, role) of the demo accounts. Commits."""
    if session.scalar(sa.select(sa.func.count()).select_from(User)):
        return []
    rng = random.Random(seed)
    install_default_categories(session)
    organisations = {name: Organisation(name=name, kind=kind, city=city, postcode=postcode, siren=siren)
                     for name, kind, city, postcode, siren in ORGANISATIONS}
    territories = {name: Territory(name=name, insee_code=insee, population=pop, zone_type=zone)
                   for name, insee, pop, zone in TERRITORIES}
    points = {name: CollectionPoint(name=name, organisation=organisations[host], territory=territories[town], address=address)
              for name, host, town, address in COLLECTION_POINTS}
    session.add_all([*organisations.values(), *territories.values(), *points.values()])
    session.add_all(Container(name=name, tare_kg=Decimal(tare)) for name, tare in CONTAINERS)
    session.commit()
    _demo_structure(session)

    logins = []
    for email, name, role, organisation in USERS:
        create_user(session, email=email, name=name, role=role, password=DEMO_PASSWORD,
                    organisation=organisations.get(organisation))
        logins.append((email, role))

    volunteer = session.scalar(sa.select(User).join(User.memberships).where(Membership.role == "volunteer"))
    leaves = session.scalars(sa.select(Category).where(Category.default_weight_kg.is_not(None))).all()
    by_name = {category.name: category for category in leaves}
    now = now_utc()
    for _ in range(min(item_count, SERVICE_ITEMS)):
        point_name = rng.choice(list(points))
        sources, weights = zip(*SUPPLY[point_name])
        source = rng.choices(sources, weights)[0]
        favourites = [by_name[n] for n in FAVOURITE_CATEGORIES.get(point_name, [])]
        category = rng.choice(favourites) if favourites and rng.random() < 0.7 else rng.choice(leaves)
        weight = (category.default_weight_kg * Decimal(rng.uniform(0.6, 1.5))).quantize(Decimal("0.1"))
        register_donation(session, Donation(
            client_uuid=uuid.UUID(int=rng.getrandbits(128)),
            category_id=category.id,
            weight_kg=max(weight, Decimal("0.1")),
            grade=rng.choices("ABCD", (3, 4, 2, 1))[0],
            collection_point_id=points[point_name].id,
            source_id=organisations[source].id if source else None,
            brand=rng.choice(BRANDS[category.name]) if category.name in BRANDS else None,
            logged_at=now - timedelta(days=rng.uniform(0, 120)),
        ), user=volunteer)
    _demo_outcomes(session, rng, organisations)
    for point_name, point in points.items():
        # Each point's tiles as its coordinator would set them: what it receives most, first, then the rest.
        favourites = [by_name[n].id for n in FAVOURITE_CATEGORIES.get(point_name, [])]
        set_tile_order(session, point, favourites, most_used_first=False)
    if item_count > SERVICE_ITEMS:
        fill_volume(session, item_count - SERVICE_ITEMS, seed=seed, supply=SUPPLY,
                    landlords=["Le Toit Angevin", "Angers Loire Habitat"], eco_organism="Eco-Systèmes",
                    newcomers=NEWCOMERS)
    return logins


def _demo_outcomes(session: Session, rng: random.Random, organisations: dict) -> None:
    """A few items through the workshop: computers handed to Le Toit Angevin's tenants, sales, a recycling batch."""
    technician = session.scalar(sa.select(User).join(User.memberships).where(Membership.role == "technician"))
    coordinator = session.scalar(sa.select(User).join(User.memberships).where(Membership.role == "coordinator"))
    today = local_today()

    def release(item: Item) -> None:
        change_status(session, item, "diagnosing", user=technician)
        record_checklist(session, item, dict.fromkeys(checklist_for(item), True), user=technician)
        if item.category.data_bearing:
            record_erasure(session, item, user=technician, level="purge", method="ATA Secure Erase",
                           tool="nwipe", tool_version="0.35", verification="passed",
                           storage_serial=f"S{rng.randrange(10**8):08d}", certificate_ref=f"EFF-{item.code}")
        change_status(session, item, "ready", user=technician)

    received = session.scalars(sa.select(Item).join(Category).where(Item.status == "received")
                               .order_by(Item.created_at)).all()
    computers = [item for item in received if item.category.data_bearing and "rdinateur" in item.category.name]
    for number, item in enumerate(computers[:4], start=1):
        release(item)
        handover = record_handover(
            session, item, user=technician, landlord_id=organisations["Le Toit Angevin"].id,
            tenant_ref=f"TA-{1040 + number}", residence=rng.choice(["Résidence Les Justices", "Résidence Verneau"]),
            # A month ago, or the day it came in if later: a handover never comes before the intake.
            handed_on=max(today - timedelta(days=30 - number), local_date(item.created_at)),
            acceptance=Acceptance(typed_name=f"Locataire {number}"),
            warranty_months=12, retention_days=365)
        planned = plan_session(session, handover, topic="Prise en main de l'ordinateur",
                               planned_on=handover.handed_on + timedelta(days=7),
                               partner_id=organisations["Cyber Centre de la Roseraie"].id)
        if number % 2 and planned.planned_on <= today:
            mark_attended(session, planned, planned.planned_on, today=today)
    for item in computers[4:6]:  # ready for the next tenants: try "Remettre à un locataire"
        release(item)
    others = [item for item in received if not item.category.data_bearing]
    for item in others[:6]:
        release(item)
        record_sale(session, item, user=technician, price=Decimal(rng.choice(["5", "15", "35", "60"])),
                    sold_on=today - timedelta(days=rng.randrange(20)), channel=rng.choice(["shop", "event"]),
                    warranty_months=6)
    # Small appliances (PAM) handed to the eco-organism in one batch; a few items of any stream still waiting.
    small_appliances = [item for item in others[6:] if item.category.waste_stream == "small"][:10]
    for item in small_appliances:
        change_status(session, item, "to_recycle", user=technician)
    if small_appliances:
        batch = open_batch(session, user=coordinator, eco_organism_id=organisations["Eco-Systèmes"].id,
                           pickup_on=today - timedelta(days=3), stream="small", waste_code="20 01 36",
                           slip_number="BSD-2026-0117")
        add_all_waiting(session, batch)
        close_batch(session, batch, user=coordinator)
    for item in [item for item in others[6:] if item not in small_appliances][:4]:
        change_status(session, item, "to_recycle", user=technician)


