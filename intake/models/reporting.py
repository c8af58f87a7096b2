"""What the reports need beyond the facts: coordinators' emission factors, the waste register's details of
each batch handed over, and the indexes the dashboard's aggregate queries read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import now_utc
from ..extensions import db
from .base import StructureScoped, UTCDateTime, kept_by_triggers
from .aftersales import FaultTicket
from .item import Item, ItemEvent
from .outcome import Handover, Sale


class ImpactFactor(StructureScoped, db.Model):
    """A coordinator's own emission factor for a category, instead of the shipped one
    (intake/data/impact_factors.toml): kg CO₂e avoided per kg reused, and where the figure comes from."""

    structure_indexed = False

    __tablename__ = "impact_factor"

    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), primary_key=True)
    kg_co2e_per_kg: Mapped[Decimal] = mapped_column(sa.Numeric(10, 3))
    source: Mapped[str] = mapped_column(sa.String(300))
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    __table_args__ = (sa.CheckConstraint("kg_co2e_per_kg >= 0 AND kg_co2e_per_kg <= 100000", name="factor"),)


class WasteShipment(StructureScoped, db.Model):
    """The waste register's fields of a batch handed over (arrêté du 31 mai 2021, art. 2) that the batch
    itself does not hold: treatment, persistent organic pollutants, carrier and destination."""

    structure_indexed = False

    __tablename__ = "waste_shipment"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("recycling_batch.id"), primary_key=True)
    # Directive 2008/98/CE, annexes I and II: R1…R13 (recovery) or D1…D15 (disposal: the final waste).
    treatment_code: Mapped[Optional[str]] = mapped_column(sa.String(4))
    contains_pop: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    carrier_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    carrier_siren: Mapped[Optional[str]] = mapped_column(sa.String(9))
    carrier_address: Mapped[Optional[str]] = mapped_column(sa.String(300))
    carrier_receipt: Mapped[Optional[str]] = mapped_column(sa.String(60))  # récépissé de déclaration de transport
    destination_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    destination_siret: Mapped[Optional[str]] = mapped_column(sa.String(14))
    destination_address: Mapped[Optional[str]] = mapped_column(sa.String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)


class LeadTime(StructureScoped, db.Model):
    """One measured stage of an item's way through the workshop, written by the database itself in the
    transaction that writes the event (triggers below): its first time ready (days since intake), each sale
    or handover (days since it was last ready), and each dismantling for parts or return (no duration: the
    dashboard counts them, with their kg). It carries the item's collection point, category, source and
    weight, kept equal to the item's by a trigger too, so the dashboard reads this table alone."""

    structure_indexed = False

    __tablename__ = "lead_time"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("item_event.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(sa.String(16))  # LEAD_STAGES, EXIT_STAGES
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    days: Mapped[Optional[float]] = mapped_column(sa.Float)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    collection_point_id: Mapped[int] = mapped_column(sa.ForeignKey("collection_point.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    source_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("organisation.id"))
    weight_kg: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(9, 3))

    __table_args__ = (
        # The dashboard's percentiles and counts: one structure's stage over a period, filters, durations and
        # weights in the index.
        sa.Index("ix_lead_time_scope", "structure_id", "stage", "at", "collection_point_id", "category_id",
                 "source_id", "days", "weight_kg"),
    )


LEAD_STAGES = ("to_ready", "to_out")
# Stages counted, not timed: the item went to parts, or came back (their stage is the event's status).
EXIT_STAGES = ("dismantled", "returned")
OUT_STATUSES = ("sold", "handed_over")
_COLUMNS = "event_id, stage, at, days, item_id, collection_point_id, category_id, source_id"
_FIRST_READY = ("NOT EXISTS (SELECT 1 FROM item_event x WHERE x.item_id = NEW.item_id AND x.to_status = 'ready' "
                "AND x.id < NEW.id)")
_LAST_READY = ("(SELECT max(r.at) FROM item_event r WHERE r.item_id = NEW.item_id AND r.to_status = 'ready' "
               "AND r.id < NEW.id)")
_EXITS = f"NEW.to_status IN ({', '.join(repr(stage) for stage in EXIT_STAGES)})"


def _follow(exits: bool) -> str:
    weight = ", weight_kg = NEW.weight_kg" if exits else ""
    return (f"UPDATE lead_time SET collection_point_id = NEW.collection_point_id, category_id = NEW.category_id, "
            f"source_id = NEW.source_id{weight} WHERE item_id = NEW.id")


def _followed(exits: bool) -> str:
    return "collection_point_id, category_id, source_id" + (", weight_kg" if exits else "")


def _sqlite_days(later: str, earlier: str) -> str:
    return f"julianday({later}) - julianday({earlier})"


def _postgres_days(later: str, earlier: str) -> str:
    return f"extract(epoch from {later} - {earlier}) / 86400.0"


def _insert(stage: str, days: str, structure: bool, exits: bool) -> str:
    """``stage``: an SQL expression (a quoted name, or the event's status)."""
    columns, values = _COLUMNS, ""
    if structure:
        columns, values = columns + ", structure_id", values + ", i.structure_id"
    if exits:
        columns, values = columns + ", weight_kg", values + ", i.weight_kg"
    return (f"INSERT INTO lead_time ({columns}) SELECT NEW.id, {stage}, NEW.at, {days}, i.id, "
            f"i.collection_point_id, i.category_id, i.source_id{values} FROM item i WHERE i.id = NEW.item_id")


def lead_time_triggers(dialect: str, *, structure: bool = True, exits: bool = True) -> tuple[str, ...]:
    """The triggers' statements (``structure``: lead times carry their item's structure, since the
    migration that brought structures; ``exits``: dismantlings and returns, and every row's weight, since
    the migration that brought them)."""
    if dialect == "sqlite":
        return (
            f"""CREATE TRIGGER lead_time_to_ready AFTER INSERT ON item_event
                WHEN NEW.to_status = 'ready' AND {_FIRST_READY}
                BEGIN {_insert("'to_ready'", _sqlite_days('NEW.at', 'i.created_at'), structure, exits)}; END""",
            f"""CREATE TRIGGER lead_time_to_out AFTER INSERT ON item_event
                WHEN NEW.to_status IN ('sold', 'handed_over')
                BEGIN {_insert("'to_out'", _sqlite_days('NEW.at', _LAST_READY), structure, exits)}; END""",
            *((f"""CREATE TRIGGER lead_time_exit AFTER INSERT ON item_event WHEN {_EXITS}
                   BEGIN {_insert('NEW.to_status', 'NULL', structure, exits)}; END""",) if exits else ()),
            f"""CREATE TRIGGER lead_time_follows_item AFTER UPDATE OF {_followed(exits)}
                ON item BEGIN {_follow(exits)}; END""",
        )
    exit_branch = (f"""ELSIF {_EXITS} THEN
                {_insert('NEW.to_status', 'NULL', structure, exits)};""" if exits else "")
    return (
        f"""CREATE FUNCTION lead_time_from_event() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.to_status = 'ready' AND {_FIRST_READY} THEN
                {_insert("'to_ready'", _postgres_days('NEW.at', 'i.created_at'), structure, exits)};
              ELSIF NEW.to_status IN ('sold', 'handed_over') THEN
                {_insert("'to_out'", _postgres_days('NEW.at', _LAST_READY), structure, exits)};
              {exit_branch}
              END IF;
              RETURN NULL;
            END $$""",
        """CREATE TRIGGER lead_time_from_event AFTER INSERT ON item_event
            FOR EACH ROW EXECUTE FUNCTION lead_time_from_event()""",
        f"""CREATE FUNCTION lead_time_follows_item() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {_follow(exits)}; RETURN NULL; END $$""",
        f"""CREATE TRIGGER lead_time_follows_item AFTER UPDATE OF {_followed(exits)} ON item
            FOR EACH ROW EXECUTE FUNCTION lead_time_follows_item()""",
    )


DROP_SQLITE_TRIGGERS = ("DROP TRIGGER IF EXISTS lead_time_to_ready", "DROP TRIGGER IF EXISTS lead_time_to_out",
                        "DROP TRIGGER IF EXISTS lead_time_exit", "DROP TRIGGER IF EXISTS lead_time_follows_item")
DROP_POSTGRES_TRIGGERS = ("DROP TRIGGER IF EXISTS lead_time_from_event ON item_event",
                          "DROP TRIGGER IF EXISTS lead_time_follows_item ON item",
                          "DROP FUNCTION IF EXISTS lead_time_from_event()",
                          "DROP FUNCTION IF EXISTS lead_time_follows_item()")


def drop_lead_time_triggers(dialect: str) -> tuple[str, ...]:
    return DROP_SQLITE_TRIGGERS if dialect == "sqlite" else DROP_POSTGRES_TRIGGERS


def lead_time_exits_backfill(dialect: str) -> tuple[str, ...]:
    """The weight of the rows already there, and the dismantlings and returns recorded before the triggers
    wrote them (the migration's backfill, by the triggers' rule)."""
    return (
        "UPDATE lead_time SET weight_kg = (SELECT i.weight_kg FROM item i WHERE i.id = lead_time.item_id)",
        f"INSERT INTO lead_time ({_COLUMNS}, structure_id, weight_kg) "
        f"SELECT e.id, e.to_status, e.at, NULL, i.id, i.collection_point_id, i.category_id, i.source_id, "
        f"i.structure_id, i.weight_kg FROM item_event e JOIN item i ON i.id = e.item_id "
        f"WHERE e.to_status IN ({', '.join(repr(stage) for stage in EXIT_STAGES)})",
    )


kept_by_triggers(LeadTime.__table__, lead_time_triggers, drop_lead_time_triggers)


class LeadTimeTally(StructureScoped, db.Model):
    """How many lead times of one stage fell in one UTC month at each tenth of a day: the dashboard's
    percentiles over a period with no other filter read these few rows instead of every measure (the
    measures between a boundary and its UTC month are read from ``lead_time`` itself). Kept exact by
    triggers on ``lead_time``: a measure written adds one, a measure deleted takes it away."""

    structure_indexed = False  # the primary key starts with it

    __tablename__ = "lead_time_tally"

    stage: Mapped[str] = mapped_column(sa.String(16))  # LEAD_STAGES
    month: Mapped[date] = mapped_column()  # the first day of the UTC month of the measures' ``at``
    tenths: Mapped[int] = mapped_column()  # round(days × 10), as the dashboard rounds them
    items: Mapped[int]

    __table_args__ = (sa.PrimaryKeyConstraint("structure_id", "stage", "month", "tenths"),)


def _tenths(prefix: str) -> str:
    return f"CAST(round({prefix}.days * 10) AS INTEGER)"


def _utc_month(prefix: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"date({prefix}.at, 'start of month')"
    return f"date_trunc('month', {prefix}.at AT TIME ZONE 'UTC')::date"


_TIMED = f"{{p}}.stage IN ({', '.join(repr(stage) for stage in LEAD_STAGES)}) AND {{p}}.days IS NOT NULL"


def _tally_add(prefix: str, dialect: str) -> str:
    return (f"INSERT INTO lead_time_tally (structure_id, stage, month, tenths, items) "
            f"SELECT {prefix}.structure_id, {prefix}.stage, {_utc_month(prefix, dialect)}, {_tenths(prefix)}, 1 "
            f"WHERE {_TIMED.format(p=prefix)} "
            f"ON CONFLICT (structure_id, stage, month, tenths) DO UPDATE SET items = lead_time_tally.items + 1")


def _tally_take(prefix: str, dialect: str) -> str:
    where = (f"WHERE structure_id = {prefix}.structure_id AND stage = {prefix}.stage "
             f"AND month = {_utc_month(prefix, dialect)} AND tenths = {_tenths(prefix)} AND {_TIMED.format(p=prefix)}")
    return (f"UPDATE lead_time_tally SET items = items - 1 {where}; "
            f"DELETE FROM lead_time_tally {where} AND items = 0")


_TALLIED = ("structure_id", "stage", "at", "days")


def lead_time_tally_triggers(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in _TALLIED)
        return (
            f"""CREATE TRIGGER lead_time_tally_added AFTER INSERT ON lead_time
                BEGIN {_tally_add('NEW', dialect)}; END""",
            f"""CREATE TRIGGER lead_time_tally_moved AFTER UPDATE OF {', '.join(_TALLIED)} ON lead_time WHEN {moved}
                BEGIN {_tally_take('OLD', dialect)}; {_tally_add('NEW', dialect)}; END""",
            f"""CREATE TRIGGER lead_time_tally_taken AFTER DELETE ON lead_time
                BEGIN {_tally_take('OLD', dialect)}; END""",
        )
    moved = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in _TALLIED)
    return (
        f"""CREATE FUNCTION lead_time_tally_follows() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                {_tally_add('NEW', dialect)};
              ELSIF TG_OP = 'DELETE' THEN
                {_tally_take('OLD', dialect)};
              ELSIF {moved} THEN
                {_tally_take('OLD', dialect)};
                {_tally_add('NEW', dialect)};
              END IF;
              RETURN NULL;
            END $$""",
        f"""CREATE TRIGGER lead_time_tally_follows AFTER INSERT OR DELETE OR UPDATE OF {', '.join(_TALLIED)}
            ON lead_time FOR EACH ROW EXECUTE FUNCTION lead_time_tally_follows()""",
    )


def drop_lead_time_tally_triggers(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        return tuple(f"DROP TRIGGER IF EXISTS lead_time_tally_{name}" for name in ("added", "moved", "taken"))
    return ("DROP TRIGGER IF EXISTS lead_time_tally_follows ON lead_time",
            "DROP FUNCTION IF EXISTS lead_time_tally_follows()")


def lead_time_tally_backfill(dialect: str) -> str:
    """The measures already there, by the triggers' rule (the migration's backfill)."""
    keys = f"structure_id, stage, {_utc_month('lead_time', dialect)}, {_tenths('lead_time')}"
    return (f"INSERT INTO lead_time_tally (structure_id, stage, month, tenths, items) "
            f"SELECT {keys}, count(*) FROM lead_time WHERE {_TIMED.format(p='lead_time')} GROUP BY {keys}")


kept_by_triggers(LeadTimeTally.__table__, lead_time_tally_triggers, drop_lead_time_tally_triggers)


# The dashboard counts by date: what reached a status in a period, what was sold or handed over in it.
sa.Index("ix_item_event_to_status_at", ItemEvent.to_status, ItemEvent.at)
sa.Index("ix_sale_sold_on", Sale.sold_on)
sa.Index("ix_handover_handed_on", Handover.handed_on)
# Intake per period read from the index alone (no table lookups) on both databases.
sa.Index("ix_item_created_figures", Item.created_at, Item.source_id, Item.collection_point_id, Item.category_id,
         Item.status, Item.grade, Item.weight_kg)
# A partner's first item, when it has no start date: one index seek; and what became of its items of a period
# (recycled, in which batch, their weight: the partner's page and report) from the index alone.
sa.Index("ix_item_source_created", Item.source_id, Item.created_at, Item.status, Item.recycling_batch_id,
         Item.weight_kg)
# A batch's items with what the recycled figures group and filter by: read from the index alone.
sa.Index("ix_item_batch_figures", Item.recycling_batch_id, Item.category_id, Item.collection_point_id, Item.source_id,
         Item.status, Item.created_at, Item.weight_kg)
# Faults resolved in a period (without it, SQLite read every item to find the few tickets).
sa.Index("ix_fault_ticket_resolved_at", FaultTicket.resolved_at)
