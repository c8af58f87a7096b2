"""Years of activity in bulk, for benchmarks: ``flask --app intake demo --items N`` beyond the first few
hundred items (made through the services, as a volunteer would) writes the rest here with multi-row
inserts: items over three years with seasons, the demo's sources per collection point, grades, statuses
that follow age, about three events an item, sales, handovers with training, weekly recycling batches
(weighed at pickup one time in two) and the code register. Same seed, same data."""

from __future__ import annotations

import bisect
import itertools
import random
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..clock import local_date, now_utc
from ..models import (AccompanimentSession, Category, CollectionPoint, Handover, IssuedCode, Item, ItemEvent,
                      Membership, Organisation, RecyclingBatch, Sale)
from .codes import ALPHABET, BODY_LENGTH, check_symbol
from .recycling import logged_weight

CHUNK = 5_000
ANALYZE_EVERY = 20  # chunks
YEARS = 3
# Spring clear-outs and the autumn move-in season bring more; August and the winter holidays, less.
SEASON = (0.8, 0.9, 1.2, 1.3, 1.2, 1.1, 0.9, 0.6, 1.2, 1.3, 1.1, 0.7)
# An item's life by the time it is old enough: what it most often became.
ENDS = (("sold", 34), ("recycled", 22), ("dismantled", 6), ("handed_over", 4), ("to_recycle", 3),
        ("ready", 5), ("repairing", 4), ("diagnosing", 4), ("received", 18))


def _code(index: int) -> str:
    """A code for the index-th bulk item: a fixed shuffle of the 32⁵ bodies (an odd multiplier is a bijection
    mod 2²⁵), so codes look random, never repeat, and stay away from the few drawn by the services."""
    space = len(ALPHABET) ** BODY_LENGTH
    value = (index * 0x9E3779B1 + 0x5BD1E995) % space
    body = ""
    for _ in range(BODY_LENGTH):
        value, digit = divmod(value, len(ALPHABET))
        body += ALPHABET[digit]
    return body + check_symbol(body)


def fill_volume(session: Session, count: int, *, seed: int, supply: dict, landlords: list[str],
                eco_organism: str, newcomers: dict) -> None:
    """Write ``count`` more items and their stories. ``newcomers``: partners that joined ``days`` ago (their
    items start then; they agreed to be named publicly). Commits every chunk."""
    rng = random.Random(seed)
    users = dict(session.execute(sa.select(Membership.role, Membership.user_id)).all())
    organisations = dict(session.execute(sa.select(Organisation.name, Organisation.id)).all())
    today = local_date(now_utc())
    joined = {name: today - timedelta(days=days) for name, days in newcomers.items()}
    for name, since in joined.items():
        session.execute(sa.update(Organisation).where(Organisation.name == name)
                        .values(partner_since=since, public_name_consent=True))
    points = dict(session.execute(sa.select(CollectionPoint.name, CollectionPoint.id)).all())
    leaves = session.execute(sa.select(Category.id, Category.name, Category.default_weight_kg, Category.data_bearing,
                                       Category.deee_category)
                             .where(Category.default_weight_kg.is_not(None))).all()
    taken = set(session.scalars(sa.select(Item.code)))
    start_id = (session.scalar(sa.select(sa.func.max(Item.id))) or 0) + 1
    event_id = (session.scalar(sa.select(sa.func.max(ItemEvent.id))) or 0) + 1
    now = now_utc()
    first_day = now - timedelta(days=365 * YEARS)
    days = range(365 * YEARS)
    cumulative = list(itertools.accumulate(SEASON[(first_day + timedelta(days=d)).month - 1] for d in days))
    point_names = list(supply)
    batches = _weekly_batches(session, rng, first_day, now, organisations[eco_organism], users["coordinator"])

    index, serial = 0, 0
    while index < count:
        size = min(CHUNK, count - index)
        items, events, sales, handovers, codes = [], [], [], [], []
        for offset in range(size):
            item_id = start_id + index + offset
            code = _code(serial)
            serial += 1
            while code in taken:
                code = _code(serial)
                serial += 1
            point = rng.choice(point_names)
            sources, weights = zip(*supply[point])
            category_id, name, default_kg, data_bearing, deee = rng.choice(leaves)
            created = first_day + timedelta(days=rng.choices(days, cum_weights=cumulative)[0],
                                            seconds=rng.randrange(8 * 3600, 18 * 3600))
            source = rng.choices(sources, weights)[0]
            while source in joined and local_date(created) < joined[source]:
                source = rng.choices(sources, weights)[0]
            age = (now - created).days
            status = rng.choices([end for end, _ in ENDS], [w for _, w in ENDS])[0] if age > 60 else \
                rng.choice(("received", "diagnosing", "repairing", "ready", "sold", "to_recycle"))
            if status == "handed_over" and not data_bearing:
                status = "sold"
            weight = max(Decimal("0.1"), (default_kg * Decimal(rng.uniform(0.6, 1.5))).quantize(Decimal("0.1")))
            batch_id = None
            steps = [(created, "received", None, "received")]
            moment = created
            if status != "received":
                moment = min(now, moment + timedelta(days=rng.uniform(0.5, 12)))
                if status in ("to_recycle", "recycled"):
                    steps.append((moment, "status", "received", "to_recycle"))
                else:
                    steps.append((moment, "status", "received", "diagnosing"))
                    if status in ("repairing", "ready", "sold", "handed_over") and rng.random() < 0.5:
                        moment = min(now, moment + timedelta(days=rng.uniform(0.5, 10)))
                        steps.append((moment, "status", "diagnosing", "repairing"))
                    if status in ("ready", "sold", "handed_over"):
                        moment = min(now, moment + timedelta(days=rng.uniform(0.5, 20)))
                        steps.append((moment, "status", steps[-1][3], "ready"))
                    if status in ("sold", "handed_over"):
                        moment = min(now, moment + timedelta(days=rng.uniform(1, 60)))
                        steps.append((moment, "status", "ready", status))
                    if status == "dismantled":
                        moment = min(now, moment + timedelta(days=rng.uniform(0.5, 10)))
                        steps.append((moment, "status", "diagnosing", "dismantled"))
                if status == "recycled":
                    stream = _stream(deee)
                    batch_id, pickup = _batch_after(batches, stream, moment)
                    if batch_id is None:
                        status = "to_recycle"
                    else:
                        moment = pickup
                        steps.append((moment, "status", "to_recycle", "recycled"))
            items.append({"id": item_id, "code": code, "client_uuid": uuid.UUID(int=(0xB0 << 120) | item_id),
                          "intake_digest": f"{item_id:064x}", "category_id": category_id, "weight_kg": weight,
                          "tare_kg": Decimal(0), "grade": rng.choices("ABCD", (3, 4, 2, 1))[0],
                          "source_id": organisations[source] if source else None,
                          "collection_point_id": points[point], "status": status, "created_at": created,
                          "created_by_id": users["volunteer"], "status_changed_at": moment, "version": len(steps),
                          "handled_by_id": users["technician"], "recycling_batch_id": batch_id})
            codes.append({"code": code, "kind": "assigned", "created_at": created, "created_by_id": users["volunteer"],
                          "item_id": item_id, "bound_at": created})
            for at, kind, before, after in steps:
                events.append({"id": event_id, "item_id": item_id, "kind": kind, "from_status": before,
                               "to_status": after, "user_id": users["volunteer" if kind == "received" else "technician"],
                               "collection_point_id": points[point], "at": at})
                event_id += 1
            if status == "sold":
                sales.append({"item_id": item_id, "price": Decimal(rng.choice(("5", "10", "15", "25", "40", "80", "120"))),
                              "sold_on": local_date(moment), "channel": rng.choice(("shop", "shop", "online", "event")),
                              "warranty_months": 6, "refurbished": data_bearing, "sold_by_id": users["technician"],
                              "created_at": moment})
            elif status == "handed_over":
                handovers.append({"item_id": item_id, "landlord_id": organisations[rng.choice(landlords)],
                                  "tenant_ref": f"V-{item_id}", "residence": rng.choice(("Résidence Les Justices",
                                                                                         "Résidence Verneau")),
                                  "handed_on": local_date(moment), "handed_by_id": users["technician"],
                                  "acceptance": "typed_name", "refurbished": True, "created_at": moment})
        session.execute(sa.insert(Item.__table__), items)
        session.execute(sa.insert(IssuedCode.__table__), codes)
        session.execute(sa.insert(ItemEvent.__table__), events)
        if sales:
            session.execute(sa.insert(Sale.__table__), sales)
        if handovers:
            session.execute(sa.insert(Handover.__table__), handovers)
            _training(session, rng, [row["item_id"] for row in handovers])
        session.commit()
        index += size
        if session.get_bind().dialect.name == "postgresql" and (index // CHUNK) % ANALYZE_EVERY == 1:
            # Statistics as autovacuum keeps them (it may be off): without them, the triggers' lookups planned
            # on an empty table scan it, and each chunk takes longer than the one before.
            session.execute(sa.text("ANALYZE item, item_event, lead_time"))
            session.commit()
    _weigh_batches(session)
    _fix_sequences(session)


def _weigh_batches(session: Session) -> None:
    """Weekly batches nothing went into are dropped; one batch in two was weighed at pickup, a few percent
    under what its items' logged weights add up to (pallets drained, parts taken off)."""
    session.execute(sa.delete(RecyclingBatch).where(~sa.exists().where(Item.recycling_batch_id == RecyclingBatch.id))
                    .execution_options(synchronize_session=False))
    closed = RecyclingBatch.state == "closed"
    session.execute(sa.update(RecyclingBatch).where(closed).values(logged_kg=logged_weight())
                    .execution_options(synchronize_session=False))
    session.execute(sa.update(RecyclingBatch).where(RecyclingBatch.id % 2 == 0, closed, RecyclingBatch.logged_kg > 0)
                    .values(weighed_kg=sa.func.round(sa.cast(RecyclingBatch.logged_kg * 0.96, sa.Numeric(12, 3)), 1))
                    .execution_options(synchronize_session=False))
    session.commit()


def _stream(deee: str | None) -> str:
    from ..models.category import waste_stream_of

    return waste_stream_of(deee)


def _weekly_batches(session: Session, rng: random.Random, first: datetime, last: datetime, eco_id: int,
                    user_id: int) -> dict:
    """Closed batches, one a week per stream, picked up on Tuesdays: {stream: [(pickup datetime, id)]}."""
    from ..models.category import WASTE_STREAMS

    rows = []
    day = local_date(first)
    while day <= local_date(last) - timedelta(days=7):
        if day.weekday() == 1:
            for stream in WASTE_STREAMS:
                code = "20 01 36" if stream != "other" else "20 03 07"
                rows.append({"eco_organism_id": eco_id, "pickup_on": day, "stream": stream, "waste_code": code,
                             "state": "closed", "created_by_id": user_id, "closed_by_id": user_id,
                             "created_at": datetime.combine(day, datetime.min.time(), timezone.utc),
                             "closed_at": datetime.combine(day, datetime.min.time(), timezone.utc)})
        day += timedelta(days=1)
    session.execute(sa.insert(RecyclingBatch.__table__), rows)
    session.commit()
    batches: dict = {}
    for batch_id, pickup, stream in session.execute(
            sa.select(RecyclingBatch.id, RecyclingBatch.pickup_on, RecyclingBatch.stream)
            .where(RecyclingBatch.state == "closed").order_by(RecyclingBatch.pickup_on)):
        batches.setdefault(stream, []).append((pickup, batch_id))
    return batches


def _batch_after(batches: dict, stream: str, moment: datetime):
    """The first batch of the stream picked up after the item was set aside."""
    pickups = batches.get(stream, ())
    found = bisect.bisect_right(pickups, (local_date(moment), float("inf")))
    if found == len(pickups):
        return None, None
    pickup, batch_id = pickups[found]
    return batch_id, datetime.combine(pickup, datetime.min.time(), timezone.utc) + timedelta(hours=10)


def _training(session: Session, rng: random.Random, item_ids: list[int]) -> None:
    """Two sessions planned per handover with the cyber centre, the first attended four times in five."""
    handovers = session.execute(sa.select(Handover.id, Handover.handed_on).where(Handover.item_id.in_(item_ids))).all()
    today = local_date(now_utc())
    rows = []
    for handover_id, handed_on in handovers:
        for number in (1, 2):
            planned = handed_on + timedelta(days=7 * number)
            attended = planned if planned <= today and rng.random() < (0.8 if number == 1 else 0.5) else None
            rows.append({"handover_id": handover_id, "topic": "Prise en main" if number == 1 else "Internet et démarches",
                         "planned_on": planned, "attended_on": attended})
    if rows:
        session.execute(sa.insert(AccompanimentSession.__table__), rows)


def _fix_sequences(session: Session) -> None:
    """PostgreSQL's id sequences move past the ids written here."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("item", "item_event"):
        session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    session.commit()


