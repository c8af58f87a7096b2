"""Categories: the default tree from the seed's product families, and the intake grid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, joinedload

from ..models import Category, CategoryPosition, CategoryUsage, CollectionPoint, Container, Item
from ..clock import now_utc

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

# Tiles the coordinator has not placed come after the placed ones.
UNPLACED = 10001
# How far back "most used" looks when ordering the intake grid.
USAGE_WINDOW = timedelta(days=90)


def install_default_categories(session: Session, *, commit: bool = True) -> int:
    """Create the default tree, with its checklists, on the current structure's empty catalogue; returns
    how many were made. Commits, unless the caller's transaction holds more (a new structure's onboarding)."""
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
                                 default_weight_kg=Decimal(weight), icon=icon, checklist=list(CHECKLISTS[name]) if name in CHECKLISTS else None))
            made += 1
    if commit:
        session.commit()
    else:
        session.flush()
    return made


def intake_categories(session: Session, collection_point_id: int | None) -> list[Category]:
    """Active leaf categories in the order of this collection point's intake tiles.

    Volunteers tap by position, so the order is stable: the coordinator's (``set_tile_order``),
    then family and name. Most used lately first only where the coordinator chose it.
    """
    child = aliased(Category)
    has_children = sa.exists().where(child.parent_id == Category.id, child.active)
    position = aliased(CategoryPosition)
    query = (
        sa.select(Category)
        .outerjoin(position, sa.and_(position.category_id == Category.id,
                                     position.collection_point_id == collection_point_id))
        .where(Category.active, ~has_children)
    )
    order = [sa.func.coalesce(position.position, UNPLACED), Category.family, Category.name]
    most_used_first = collection_point_id is not None and session.scalar(
        sa.select(CollectionPoint.most_used_first).where(CollectionPoint.id == collection_point_id))
    if most_used_first:
        recent_use = (
            sa.select(sa.func.coalesce(sa.func.sum(CategoryUsage.items), 0))
            .where(CategoryUsage.category_id == Category.id,
                   CategoryUsage.collection_point_id == collection_point_id,
                   CategoryUsage.day >= (now_utc() - USAGE_WINDOW).date())
            .correlate(Category)
            .scalar_subquery()
        )
        order.insert(0, recent_use.desc())
    return list(session.scalars(query.order_by(*order)))


def set_tile_order(session: Session, point: CollectionPoint, category_ids: list[int], *, most_used_first: bool) -> None:
    """The intake tiles of ``point`` in this order (the ones left out come after). Commits."""
    known = set(session.scalars(sa.select(Category.id).where(Category.id.in_(category_ids))))
    session.execute(sa.delete(CategoryPosition).where(CategoryPosition.collection_point_id == point.id))
    ordered = [category_id for category_id in dict.fromkeys(category_ids) if category_id in known]
    session.add_all(CategoryPosition(collection_point_id=point.id, category_id=category_id, position=rank)
                    for rank, category_id in enumerate(ordered, start=1))
    point.most_used_first = most_used_first
    session.commit()


def correctable_categories(session: Session, item: Item | None = None) -> list[Category]:
    """The categories an item may be corrected to (or searched by): active leaves, and the item's own."""
    child = aliased(Category)
    has_children = sa.exists().where(child.parent_id == Category.id, child.active)
    own = Category.id == item.category_id if item is not None else sa.false()
    query = (sa.select(Category).where(sa.or_(sa.and_(Category.active, ~has_children), own))
             .order_by(Category.family, Category.name))
    return list(session.scalars(query))


def open_points(session: Session, item: Item | None = None) -> list[CollectionPoint]:
    """Open collection points by name (with their host and territory), and the item's own even if it has
    closed since."""
    condition = CollectionPoint.active
    if item is not None:
        condition = sa.or_(condition, CollectionPoint.id == item.collection_point_id)
    return list(session.scalars(
        sa.select(CollectionPoint).where(condition).order_by(CollectionPoint.name)
        .options(joinedload(CollectionPoint.organisation), joinedload(CollectionPoint.territory))))


def active_categories(session: Session) -> list[Category]:
    """Every active category (families included), by name: the filters' list."""
    return list(session.scalars(sa.select(Category).where(Category.active).order_by(Category.name)))


def active_containers(session: Session) -> list[Container]:
    """Containers whose tare intake takes off, lightest first."""
    return list(session.scalars(sa.select(Container).where(Container.active).order_by(Container.tare_kg)))


def all_points(session: Session) -> list[CollectionPoint]:
    """Every collection point, open or closed, by name (filters over past items)."""
    return list(session.scalars(sa.select(CollectionPoint).order_by(CollectionPoint.name)))
