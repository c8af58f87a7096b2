"""Networks of structures: who belongs, who coordinates, and the figures a network compares.

A network (Emmaüs, Envie, a ressourceries' network) sees its members' figures side by side and in total:
what they collected, per inhabitant of their territories, how much of what left had a second life, what
they sold and handed over. Only sums: never an item, a person, a tenant or the price of one sale. Each
structure's figures are its coordinators' dashboard's own (``reporting.dashboard``), worked out inside
that structure's wall, so the network's numbers are the sum of what each structure sees at home.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..clock import local_today
from ..models import Network, NetworkCoordinator, NetworkMember, Structure, User
from ..scoping import scoped_to
from .accounts import normalize_email
from .onboarding import first_password
from .reporting.dashboard import SECOND_LIFE, collected, destinations
from .reporting.filters import Filters, years_covered
from .reporting.tables import Column, Table, money, share

# Below this many sales in the period, a structure's revenue is not shown (one or two sales would give
# their prices away), and it is left out of the network's total revenue (else the difference would).
MIN_SALES_FOR_REVENUE = 3


class NetworkRefused(ValueError):
    pass


# ---------------------------------------------------------------------------------------------- membership

def create_network(session: Session, name: str) -> Network:
    """A new network. Commits."""
    name = (name or "").strip()
    if not name:
        raise NetworkRefused(_l("Give the network's name."))
    if network_named(session, name) is not None:
        raise NetworkRefused(_l("A network of that name exists already."))
    network = Network(name=name)
    session.add(network)
    session.commit()
    return network


def network_named(session: Session, name: str) -> Network | None:
    return session.scalar(sa.select(Network).where(sa.func.lower(Network.name) == (name or "").strip().lower()))


def add_coordinator(session: Session, network: Network, email: str, *, name: str = "") -> tuple[bool, str | None]:
    """Let the account of ``email`` coordinate ``network``; without one, an account is made that belongs to
    no structure (it sees the network's figures only), with a first password returned to show once.
    Returns (whether it was added, that password or None). Commits."""
    email = normalize_email(email)
    if "@" not in email:
        raise NetworkRefused(_l("Not an e-mail address."))
    user = session.scalar(sa.select(User).where(User.email == email))
    password = None
    if user is None:
        password = first_password()
        user = User(email=email, name=(name or "").strip() or email.split("@")[0])
        user.set_password(password)
        session.add(user)
        session.flush()
    elif session.get(NetworkCoordinator, (network.id, user.id)) is not None:
        return False, None
    session.add(NetworkCoordinator(network_id=network.id, user_id=user.id))
    session.commit()
    return True, password


def join(session: Session, network: Network, structure_id: int) -> bool:
    """The structure joins the network; False when it was a member already. Commits."""
    if session.get(Structure, structure_id) is None:
        raise NetworkRefused(_l("No such structure."))
    if session.get(NetworkMember, (network.id, structure_id)) is not None:
        return False
    session.add(NetworkMember(network_id=network.id, structure_id=structure_id))
    session.commit()
    return True


def leave(session: Session, network_id: int, structure_id: int) -> bool:
    """The structure leaves the network (its coordinators decide): the network sees none of its figures
    from now on. False when it was no member. Commits."""
    member = session.get(NetworkMember, (network_id, structure_id))
    if member is None:
        return False
    session.delete(member)
    session.commit()
    return True


def coordinated_networks(session: Session, user_id: int) -> list[Network]:
    """The networks an account coordinates, by name."""
    return list(session.scalars(sa.select(Network).join(NetworkCoordinator)
                                .where(NetworkCoordinator.user_id == user_id).order_by(Network.name)))


def networks_of(session: Session, structure_id: int | None) -> list[Network]:
    """The networks a structure belongs to, by name."""
    if structure_id is None:
        return []
    return list(session.scalars(sa.select(Network).join(NetworkMember)
                                .where(NetworkMember.structure_id == structure_id).order_by(Network.name)))


def member_structures(session: Session, network_id: int) -> list[tuple[int, str]]:
    """The network's active structures: (id, name), by name."""
    return [(row.id, structure_name(row.id, row.name)) for row in session.execute(
        sa.select(Structure.id, Structure.name).join(NetworkMember, NetworkMember.structure_id == Structure.id)
        .where(NetworkMember.network_id == network_id, Structure.active).order_by(Structure.name, Structure.id))]


def structure_name(structure_id: int, name: str | None) -> str:
    return name or str(_l("Structure %(number)s", number=structure_id))


# ---------------------------------------------------------------------------------------------- figures

@dataclass
class Figures:
    """One structure's figures for the period, or the network's total (sums of the structures')."""

    name: str
    collected_items: int = 0
    collected_kg: Decimal = Decimal(0)
    # kg per inhabitant: the items from points in a territory, over the territories' population.
    territory_kg: Decimal = Decimal(0)
    population: int = 0
    left_kg: Decimal = Decimal(0)  # sold, handed over, recycled, final waste, dismantled
    sold_items: int = 0
    sold_kg: Decimal = Decimal(0)
    revenue: Decimal | None = Decimal(0)  # None: too few sales to show
    handed_items: int = 0
    handed_kg: Decimal = Decimal(0)

    def add(self, other: Figures) -> None:
        for name in ("collected_items", "collected_kg", "territory_kg", "population", "left_kg", "sold_items",
                     "sold_kg", "handed_items", "handed_kg"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.revenue is not None:
            self.revenue += other.revenue

    @property
    def reuse_rate(self) -> Decimal | None:
        """Of the kg that left, the share sold or handed over."""
        return share(self.sold_kg + self.handed_kg, self.left_kg)


def structure_figures(session: Session, structure_id: int, name: str, start: date, end: date) -> Figures:
    """One structure's figures, from its own dashboard's sections, inside its walls."""
    filters = Filters(start=start, end=end)
    with scoped_to(structure_id, session):
        collected_tables, _ = collected(session, filters)
        destination_tables, totals = destinations(session, filters)
    tables = {table.key: table for table in (*collected_tables, *destination_tables)}
    figures = Figures(name)
    by_source = tables["by_source"]
    items, weight = by_source.column("items"), by_source.column("kg")
    for row in by_source.rows:
        figures.collected_items += row[items]
        figures.collected_kg += row[weight]
    territories = tables["per_territory"]
    population, weight = territories.column("population"), territories.column("kg")
    for row in territories.rows:
        figures.population += row[population] or 0
        figures.territory_kg += row[weight]
    where = tables["destinations"]  # its lines, in order: sold, handed over, then how the rest left
    for row, kind in zip(where.rows, (*SECOND_LIFE, "recycled", "final_waste", "dismantled")):
        count, weight = row[where.column("items")], row[where.column("kg")]
        figures.left_kg += weight
        if kind == "sold":
            figures.sold_items, figures.sold_kg = count, weight
        elif kind == "handed_over":
            figures.handed_items, figures.handed_kg = count, weight
    figures.revenue = money(totals.revenue) if figures.sold_items >= MIN_SALES_FOR_REVENUE else None
    return figures


@dataclass
class NetworkFigures:
    start: date
    end: date
    years: float  # what the period covers up to today, for kg per inhabitant per year
    structures: list[Figures]
    total: Figures

    def per_inhabitant(self, figures: Figures) -> Decimal | None:
        if not figures.population or not self.years:
            return None
        return (figures.territory_kg / figures.population / Decimal(str(self.years))).quantize(Decimal("0.001"))

    def table(self) -> Table:
        """The figures as one table, a line per structure and the total last: the page's and the CSV's."""
        columns = [Column("structure", _l("Structure")), Column("items", _l("Items collected"), "items"),
                   Column("kg", _l("Weight collected"), "kg"), Column("population", _l("Inhabitants"), "number"),
                   Column("per_inhabitant", _l("kg per inhabitant per year"), "number"),
                   Column("reuse_rate", _l("Reuse rate (kg)"), "share"),
                   Column("sold_items", _l("Sold"), "items"), Column("sold_kg", _l("Sold (weight)"), "kg"),
                   Column("revenue", _l("Revenue"), "money"),
                   Column("handed_items", _l("Handed over"), "items"),
                   Column("handed_kg", _l("Handed over (weight)"), "kg")]
        rows = [[figures.name, figures.collected_items, figures.collected_kg, figures.population,
                 self.per_inhabitant(figures), figures.reuse_rate, figures.sold_items, figures.sold_kg,
                 figures.revenue, figures.handed_items, figures.handed_kg]
                for figures in (*self.structures, self.total)]
        return Table("network", _l("Figures per structure"), columns, rows, note=_l(
            "kg per inhabitant: items from collection points in a territory, over the territories' population, "
            "annualised. Reuse rate: of the weight that left (sold, handed over, recycled, dismantled, final "
            "waste), the share sold or handed over. Revenue is not shown for fewer than %(n)s sales, nor "
            "counted in the total.", n=MIN_SALES_FOR_REVENUE))


def network_figures(session: Session, network_id: int, start: date, end: date) -> NetworkFigures:
    """Each member structure's figures for the period (both days included) and the network's total."""
    structures = [structure_figures(session, structure_id, name, start, end)
                  for structure_id, name in member_structures(session, network_id)]
    total = Figures(str(_l("Total")))
    for figures in structures:
        total.add(figures)
    last_day = min(end, local_today())
    years = years_covered(start, last_day) if last_day >= start else 0
    return NetworkFigures(start, end, years, structures, total)
