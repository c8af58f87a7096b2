"""Small factory functions that build test data through the app's own services."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from PIL import Image, ImageDraw

from intake.extensions import db
from intake.models import Category, CollectionPoint, Container, Organisation, Territory, User
from intake.services.accounts import create_user
from intake.services.intake import Donation, register_donation
from intake.services.outcomes import Acceptance, record_handover
from intake.services.status import change_status, checklist_for, record_checklist, record_erasure

PASSWORD = "correct horse battery"
ROLES = ("volunteer", "technician", "coordinator", "landlord")


def email_for(role: str, domain: str = "example.org") -> str:
    return f"{role}@{domain}"


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


def make_world(email_domain: str = "example.org") -> World:
    territory = Territory(name="Angers", population=157175, zone_type="dense_urban")
    partner = Organisation(name="Orange", kind="telecom_operator")
    landlord = Organisation(name="Le Toit Angevin", kind="social_landlord")
    point = CollectionPoint(name="Ressourcerie centre", territory=territory)
    other_point = CollectionPoint(name="Déchèterie nord", territory=territory)
    electrical = Category(name="Électrique", family="electrical")
    phone = Category(name="Téléphone mobile", family="electrical", parent=electrical, deee_category="small_it_telecom",
                     data_bearing=True, default_weight_kg=Decimal("0.2"), icon="📱",
                     # Wide enough for the weights the tests type; the plausibility tests set their own.
                     min_weight_kg=Decimal("0.05"), max_weight_kg=Decimal("20"))
    bike = Category(name="Vélo", family="leisure", default_weight_kg=Decimal("14"), icon="🚲")
    crate = Container(name="Caisse", tare_kg=Decimal("1.2"))
    db.session.add_all([territory, partner, landlord, point, other_point, electrical, phone, bike, crate])
    db.session.commit()
    user_ids = {}
    for role in ROLES:
        user = create_user(db.session, email=email_for(role, email_domain), name=f"{role.title()} Test", role=role,
                           password=PASSWORD, organisation=landlord if role == "landlord" else None)
        user_ids[role] = user.id
    return World(point.id, other_point.id, phone.id, bike.id, partner.id, landlord.id, crate.id, user_ids)


def make_item(world: World, *, role: str = "volunteer", **values):
    values = {"client_uuid": uuid.uuid4(), "category_id": world.phone_id, "weight_kg": Decimal("0.2"),
              "grade": "B", "collection_point_id": world.point_id, **values}
    user = db.session.get(User, world.user_ids[role])
    return register_donation(db.session, Donation(**values), user=user).item


def user(world: World, role: str) -> User:
    return db.session.get(User, world.user_ids[role])


def make_ready(world: World, **values):
    """An item (a phone by default) with a passed checklist and, if it holds data, a verified Purge, in `ready`."""
    item = make_item(world, **values)
    change_status(db.session, item, "diagnosing", user=user(world, "technician"))
    pass_checks(world, item)
    change_status(db.session, item, "ready", user=user(world, "technician"))
    return item


def pass_checks(world: World, item) -> None:
    """A passed checklist and, if the item holds data, a verified Purge with a certificate."""
    technician = user(world, "technician")
    record_checklist(db.session, item, dict.fromkeys(checklist_for(item), True), user=technician)
    if item.category.data_bearing:
        record_erasure(db.session, item, user=technician, level="purge", method="ATA Secure Erase", tool="nwipe",
                       tool_version="0.35", verification="passed", storage_serial="S3Z9NB0K",
                       certificate_ref=f"CERT-{item.code}")


def signature_png() -> bytes:
    """A small drawn signature, as a signature pad sends it."""
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 100), (80, 20), (150, 90), (290, 30)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# Handovers are dated 2026-11-20 (their receipts and retention periods are checked against it): their
# items came in before, as a handover cannot predate its item.
HANDED_ON = date(2026, 11, 20)
LOGGED_BEFORE_HANDOVER = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def make_handover(world: World, *, landlord_id: int | None = None, tenant_ref: str = "LOC-0042",
                  residence: str = "Résidence Les Justices", item=None, signed: bool = True, **acceptance):
    """A ready phone (logged on 2 November) handed over to the landlord's tenant on 20 November, with a
    drawn signature by default."""
    item = item or make_ready(world, logged_at=LOGGED_BEFORE_HANDOVER)
    accepted = Acceptance(signature_png=signature_png()) if signed else Acceptance(**acceptance)
    return record_handover(db.session, item, user=user(world, "technician"),
                           landlord_id=landlord_id or world.landlord_org_id, tenant_ref=tenant_ref,
                           residence=residence, handed_on=HANDED_ON, acceptance=accepted,
                           warranty_months=12, retention_days=365, tenant_contact="06 12 34 56 78")


# people
def make_people(text: str = "Aubépine") -> dict:
    """A person in insertion with a name and a skill, a self-repair session with a member checked in and an
    item brought, in the current structure; every name and text carries ``text``."""
    from intake.services.people import insertion, members, participation

    skill = insertion.add_skill(db.session, f"{text} démontage")
    person = insertion.create_person(db.session, reference=f"{text}-ACI-1", programme="aci",
                                     contract_start=date(2026, 1, 5), contract_end=date(2026, 12, 31),
                                     weekly_hours=Decimal(26), user_id=None, name=f"{text} Personne",
                                     contact=None, retention_days=365)
    insertion.validate_skill(db.session, person, skill.id, date(2026, 3, 2))
    member = members.join(db.session, name=f"Marie {text}", contact=None, card_number=None,
                          paid_on=date(2026, 2, 1), amount=Decimal(10), membership_days=365, retention_days=365)
    workshop = participation.create_session(db.session, held_on=date(2026, 11, 21), starts_at=None, minutes=180,
                                            place=f"{text} atelier", kind="Vélo", capacity=12, facilitators=None)
    participation.check_in(db.session, workshop, member.id)
    participation.bring_item(db.session, workshop, description=f"{text} vélo", outcome="fixed")
    return {"person": person.id, "workshop": workshop.id, "member": member.id}
