"""Categories: the default tree from the seed's product families, and the intake grid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ..models import Category, CollectionPoint, Item
from ..models.base import now_utc

# family code -> (French name, [(name, DEEE category, ORDS category, data-bearing, default kg, icon)])
DEFAULT_CATEGORIES = {
    "electrical": ("Électrique et électronique", [
        ("Réfrigérateur, congélateur (GEM froid)", "heat_exchange", "Large home electrical", False, "45", "🧊"),
        ("Lave-linge, cuisinière (GEM hors froid)", "large", "Large home electrical", False, "60", "🫧"),
        ("Petit électroménager", "small", "Small home electrical", False, "3", "🔌"),
        ("Écran, téléviseur", "screens", "Flat screen", False, "12", "📺"),
        ("Ordinateur portable", "small_it_telecom", "Laptop", True, "2.2", "💻"),
        ("Ordinateur fixe", "small_it_telecom", "Desktop computer", True, "8", "🖥️"),
        ("Tablette", "small_it_telecom", "Tablet", True, "0.5", "📲"),
        ("Téléphone mobile", "small_it_telecom", "Mobile", True, "0.2", "📱"),
        ("Support de stockage (disque, clé)", "small_it_telecom", "PC accessory", True, "0.3", "💾"),
        ("Imprimante, scanner", "small_it_telecom", "Printer/scanner", False, "6", "🖨️"),
        ("Cartouche d'impression", None, None, False, "0.1", "🖋️"),
        ("Audiovisuel, hi-fi, radio", "small", "Hi-Fi separates", False, "4", "📻"),
        ("Lampe, luminaire", "lamps", "Lamp", False, "1", "💡"),
    ]),
    "textiles": ("Textiles", [
        ("Vêtements", None, None, False, "0.5", "👕"),
        ("Linge de maison", None, None, False, "1", "🛏️"),
        ("Chaussures, maroquinerie", None, None, False, "0.8", "👟"),
    ]),
    "furniture": ("Mobilier et décoration", [
        ("Mobilier", None, None, False, "20", "🪑"),
        ("Décoration", None, None, False, "1", "🖼️"),
        ("Vaisselle", None, None, False, "2", "🍽️"),
    ]),
    "books_media": ("Livres, CD, DVD", [
        ("Livres, revues, BD", None, None, False, "0.4", "📚"),
        ("CD, DVD, cassettes", None, None, False, "0.2", "💿"),
    ]),
    "leisure": ("Loisirs", [
        ("Vélo", None, None, False, "14", "🚲"),
        ("Jeux et jouets", None, "Toy", False, "1", "🧸"),
        ("Instrument de musique", None, "Musical instrument", False, "5", "🎸"),
        ("Équipement de sport", None, None, False, "3", "⚽"),
    ]),
    "tools": ("Outillage", [
        ("Outillage à main", None, None, False, "2", "🔧"),
        ("Outillage électrique", "small", "Power tool", False, "3", "🪚"),
        ("Jardinage", None, None, False, "5", "🌱"),
    ]),
    "other": ("Autres", [
        ("Puériculture", None, None, False, "5", "🍼"),
        ("Paramédical", None, None, False, "8", "🦽"),
        ("Divers", None, None, False, "1", "📦"),
    ]),
}

# Functional checks before an item is ready (coordinators change them per category).
COMPUTER_CHECKS = ["Démarrage et alimentation", "Écran", "Clavier et pavé tactile", "Santé de la batterie",
                   "Santé du stockage (SMART)", "Wi-Fi et ports"]
CHECKLISTS = {
    "Ordinateur portable": COMPUTER_CHECKS,
    "Ordinateur fixe": ["Démarrage et alimentation", "Santé du stockage (SMART)", "Ports USB et réseau", "Ventilation"],
    "Tablette": ["Démarrage et charge", "Écran tactile", "Santé de la batterie", "Wi-Fi", "Caméras"],
    "Téléphone mobile": ["Démarrage et charge", "Écran tactile", "Santé de la batterie", "Appels et micro",
                         "Réseau mobile et Wi-Fi", "Caméras", "Déverrouillage (compte retiré)"],
    "Vélo": ["Freins", "Vitesses", "Pneus et chambres à air", "Éclairage", "Direction et jeu", "Chaîne"],
    "Lave-linge, cuisinière (GEM hors froid)": ["Mise sous tension", "Cycle complet", "Étanchéité", "Sécurité électrique"],
    "Réfrigérateur, congélateur (GEM froid)": ["Mise sous tension", "Production de froid", "Joints", "Sécurité électrique"],
}

# How far back "most used" looks when ordering the intake grid.
USAGE_WINDOW = timedelta(days=90)


def install_default_categories(session: Session) -> int:
    """Create the default tree on an empty catalogue; returns how many were made. Commits."""
    if session.scalar(sa.select(sa.func.count()).select_from(Category)):
        return 0
    made = 0
    for family, (family_name, children) in DEFAULT_CATEGORIES.items():
        parent = Category(name=family_name, family=family)
        session.add(parent)
        made += 1
        for name, deee, ords, data_bearing, weight, icon in children:
            session.add(Category(parent=parent, name=name, family=family, deee_category=deee,
                                 ords_category=ords, data_bearing=data_bearing,
                                 default_weight_kg=Decimal(weight), icon=icon, checklist=CHECKLISTS.get(name)))
            made += 1
    session.commit()
    return made


def intake_categories(session: Session, collection_point_id: int | None) -> list[Category]:
    """Active leaf categories, the most used at this collection point lately first."""
    child = aliased(Category)
    has_children = sa.exists().where(child.parent_id == Category.id, child.active)
    recent_use = (
        sa.select(sa.func.count(Item.id))
        .where(Item.category_id == Category.id,
               Item.collection_point_id == collection_point_id,
               Item.created_at >= now_utc() - USAGE_WINDOW)
        .correlate(Category)
        .scalar_subquery()
    )
    query = (
        sa.select(Category)
        .where(Category.active, ~has_children)
        .order_by(recent_use.desc(), Category.family, Category.name)
    )
    return list(session.scalars(query))


def correctable_categories(session: Session, item: Item) -> list[Category]:
    """The categories an item may be corrected to: active leaves, and the one it has."""
    child = aliased(Category)
    has_children = sa.exists().where(child.parent_id == Category.id, child.active)
    query = (sa.select(Category).where(sa.or_(sa.and_(Category.active, ~has_children), Category.id == item.category_id))
             .order_by(Category.family, Category.name))
    return list(session.scalars(query))


def open_points(session: Session, item: Item | None = None) -> list[CollectionPoint]:
    """Open collection points by name, and the item's own even if it has closed since."""
    condition = CollectionPoint.active
    if item is not None:
        condition = sa.or_(condition, CollectionPoint.id == item.collection_point_id)
    return list(session.scalars(sa.select(CollectionPoint).where(condition).order_by(CollectionPoint.name)))
