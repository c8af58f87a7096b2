"""Small factory functions that build test data through the app's own services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from intake.extensions import db
from intake.models import Category, CollectionPoint, Container, Organisation, Territory, User
from intake.services.accounts import create_user
from intake.services.intake import Donation, register_donation

PASSWORD = "correct horse battery"
ROLES = ("volunteer", "technician", "coordinator", "landlord")


def email_for(role: str) -> str:
    return f"{role}@example.org"


@dataclass
class World:
    point_id: int
    other_point_id: int
    phone_id: int
    bike_id: int
    partner_id: int
    landlord_org_id: int
    crate_id: int
    user_ids: dict


def make_world() -> World:
    territory = Territory(name="Angers", population=157175, zone_type="dense_urban")
    partner = Organisation(name="Orange", kind="telecom_operator")
    landlord = Organisation(name="Le Toit Angevin", kind="social_landlord")
    point = CollectionPoint(name="Ressourcerie centre", territory=territory)
    other_point = CollectionPoint(name="Déchèterie nord", territory=territory)
    electrical = Category(name="Électrique", family="electrical")
    phone = Category(name="Téléphone mobile", family="electrical", parent=electrical, deee_category="small_it_telecom",
                     data_bearing=True, default_weight_kg=Decimal("0.2"), icon="📱")
    bike = Category(name="Vélo", family="leisure", default_weight_kg=Decimal("14"), icon="🚲")
    crate = Container(name="Caisse", tare_kg=Decimal("1.2"))
    db.session.add_all([territory, partner, landlord, point, other_point, electrical, phone, bike, crate])
    db.session.commit()
    user_ids = {}
    for role in ROLES:
        user = create_user(db.session, email=email_for(role), name=f"{role.title()} Test", role=role,
                           password=PASSWORD, organisation=landlord if role == "landlord" else None)
        user_ids[role] = user.id
    return World(point.id, other_point.id, phone.id, bike.id, partner.id, landlord.id, crate.id, user_ids)


def make_item(world: World, *, role: str = "volunteer", **values):
    values = {"client_uuid": uuid.uuid4(), "category_id": world.phone_id, "weight_kg": Decimal("0.2"),
              "grade": "B", "collection_point_id": world.point_id, **values}
    user = db.session.get(User, world.user_ids[role])
    return register_donation(db.session, Donation(**values), user=user).item
