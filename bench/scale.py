"""Every page at scale: the server time of every GET route of the app, as each role that may open it, and of
the main writes, on a database of N items and about 3N events.

    python bench/scale.py [--items 1000000] [--database sqlite|postgresql] [--keep] [--runs 15]
                          [--only PREFIX] [--exports]

The routes and who may open them come from the route × role table (tests/test_access.py): a new route is
timed as soon as it is declared there. Each (route, role) is requested once to warm up, then ``--runs``
times in the same process through Flask's test client (server time without the network: routing,
sessions, queries, templates); p50 and p95 are printed, then the slowest ten and what exceeds its target.
Targets (issue "Scale and cost"): 50 ms p95 for every page and API call; the coordinators' dashboard and its
reports 1 s (issue "Indicators", timed twice here: bench/indicators.py is theirs); file exports are streamed
and timed only with --exports.
Writes: an intake by the API, an intake by the phone form (POST, redirect, the next page), a status change
by the API, a sale by its form.

The data is the volume database of bench/harness.py (``demo --items N``), shared with bench/indicators.py:
filled once, reused with --keep.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402

from bench.harness import fill_volume, volume_database  # noqa: E402

PAGE_MS, REPORT_MS = 50, 1000
# The dashboard and the reports computed like it (issue "Indicators": 1 s).
REPORTS = ("/indicators", "/indicators/<key>.csv", "/partners/<int:organisation_id>/report",
           "/partners/<int:organisation_id>/report.pdf", "/results", "/network/", "/network/figures.csv")
# Files that hold a whole period or the whole history: streamed, timed only when asked.
EXPORTS = ("/exports/items.csv", "/exports/events.csv", "/exports/ords.csv", "/recycling/register.csv",
           "/register.csv", "/register.pdf", "/landlord/export.csv", "/eco/export.csv")
ROLES = ("volunteer", "technician", "coordinator", "landlord")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(call, runs: int) -> tuple[int, float, float]:
    """(status, p50 ms, p95 ms) of ``runs`` calls after one warm-up."""
    status = call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        status = call()
        samples.append((time.perf_counter() - started) * 1000)
    return status, statistics.median(samples), percentile(samples, 0.95)


def records(db, Item, models) -> dict:
    """The records the URLs name, taken from the filled database: the busiest point, a ready computer or phone, the
    latest sale, the landlord's latest handover, the latest recycling batch, the biggest partner."""
    session = db.session
    point = session.scalar(sa.select(Item.collection_point_id).group_by(Item.collection_point_id)
                           .order_by(sa.func.count().desc()).limit(1))
    partner = session.scalar(sa.select(Item.source_id).where(Item.source_id.is_not(None)).group_by(Item.source_id)
                             .order_by(sa.func.count().desc()).limit(1))
    landlord = session.scalar(sa.select(models.User).where(models.User.email == "bailleur@demo.intake.fr"))
    membership = session.scalar(sa.select(models.Membership).where(models.Membership.user_id == landlord.id))
    handover = session.scalar(sa.select(models.Handover.id)
                              .where(models.Handover.landlord_id == membership.organisation_id)
                              .order_by(models.Handover.id.desc()).limit(1))
    return {
        "code": session.scalar(sa.select(Item.code).join(Item.category)
                               .where(Item.status == "ready", models.Category.data_bearing)
                               .order_by(Item.id.desc()).limit(1)),
        "point_id": point,
        "sale": session.scalar(sa.select(sa.func.max(models.Sale.id))),
        "handover": handover,
        "recycling": session.scalar(sa.select(sa.func.max(models.RecyclingBatch.id))),
        "partner": partner,
        "session": session.scalar(sa.select(sa.func.max(models.AccompanimentSession.id))
                                  .where(models.AccompanimentSession.handover_id == handover)),
        "batch": "bench",
    }


def later_records(db, models, ids: dict, coordinator) -> dict:
    """What the demo generator does not make and the newer routes name (a contact, a convention, a lot, a till and
    its sale, a fault ticket, people): made as the route × role table's fixture makes them, in the demo's
    structure, once per run (a few rows)."""
    from types import SimpleNamespace

    from intake import scoping
    from intake.services import aftersales
    from tests.factories import make_people
    from tests.test_access import partnership_records, till_records

    session = db.session
    technician = session.scalar(sa.select(models.User).where(models.User.email == "technicien@demo.intake.fr"))
    landlord = session.scalar(sa.select(models.User).where(models.User.email == "bailleur@demo.intake.fr"))
    mark = uuid.uuid4().hex[:6]
    with scoping.scoped_to(coordinator.memberships[0].structure_id, session):
        bike = session.scalar(sa.select(models.Category.id).where(models.Category.data_bearing.is_(False))
                              .order_by(models.Category.id).limit(1))
        world = SimpleNamespace(bike_id=bike, point_id=ids["point_id"], user_ids={"technician": technician.id})
        made = {**partnership_records(ids["partner"], f"Bench {mark}"), **till_records(world, f"Bench {mark}"),
                **make_people(f"Bench {mark}")}
        # One open ticket per device: a kept database has it from an earlier run.
        made["ticket"] = session.scalar(sa.select(sa.func.max(models.FaultTicket.id))) or \
            aftersales.report_from_landlord(session, landlord, ids["handover"], aftersales.FaultReport("Écran noir"),
                                            route="/bench")
    return made


def signed_in(app, email: str | None):
    client = app.test_client()
    if email:
        response = client.post("/login", data={"email": email, "password": "demo-intake-2026"})
        assert response.status_code == 302, response.status_code
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse a filled one)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", default="", help="only the routes starting with this")
    parser.add_argument("--exports", action="store_true", help="time the file exports too")
    parser.add_argument("--no-writes", action="store_true")
    options = parser.parse_args()
    url, instance = volume_database(options.database, options.keep)
    os.environ["INTAKE_INSTANCE_PATH"] = instance

    from intake import create_app, models
    from intake.extensions import db
    from intake.models import CollectionPoint, Item, User
    from intake.services.code_register import reserve_codes
    from tests.test_access import GET_ROUTES

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "bench.local", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    fill_volume(app, options.items)
    with app.app_context():
        items = db.session.scalar(sa.select(sa.func.count(Item.id)))
        events = db.session.scalar(sa.text("SELECT count(*) FROM item_event"))
        ids = records(db, Item, models)
        db.session.get(CollectionPoint, ids["point_id"]).most_used_first = True  # the costlier tile order
        db.session.commit()
        coordinator = db.session.scalar(sa.select(User).where(User.email == "coordination@demo.intake.fr"))
        if not db.session.scalar(sa.select(models.IssuedCode.code).where(models.IssuedCode.batch == "bench")):
            reserve_codes(db.session, 3, batch="bench", user=coordinator)
        ids.update(later_records(db, models, ids, coordinator))
    print(f"{options.database}: {items:,} items, {events:,} events; {options.runs} runs per route and role")

    clients = {role: signed_in(app, f"{email}@demo.intake.fr") for role, email in
               (("volunteer", "benevole"), ("technician", "technicien"), ("coordinator", "coordination"),
                ("landlord", "bailleur"))}
    clients["anonymous"] = signed_in(app, None)
    setup = clients["volunteer"].post("/intake/setup", data={"collection_point_id": ids["point_id"], "source_id": 0})
    assert setup.status_code == 302, setup.get_data(as_text=True)[:500]
    for role in ("technician", "coordinator"):
        clients[role].post("/intake/setup", data={"collection_point_id": ids["point_id"], "source_id": 0})

    rows = []
    for rule, template, expected in GET_ROUTES:
        if not rule.startswith(options.only) or (rule in EXPORTS and not options.exports):
            continue
        path = template.format(**ids)
        visitors = [role for role in ROLES if expected.get(role) == 200]
        if not visitors and expected.get("anonymous") == 200:
            visitors = ["anonymous"]
        for role in visitors:
            client = clients[role]
            target = REPORT_MS if rule in REPORTS else None if rule in EXPORTS else PAGE_MS
            # The reports have their own bench (bench/indicators.py): a few runs say where they stand.
            runs = options.runs if target == PAGE_MS else min(options.runs, 2)
            status, p50, p95 = measure(lambda client=client, path=path: client.get(path).status_code, runs)
            rows.append((rule, role, status, p50, p95, target))

    if not options.no_writes:
        rows += writes(app, db, clients, ids, options.runs)

    print(f"\n{'route':<58} {'role':<12} {'status':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for rule, role, status, p50, p95, target in rows:
        flag = "" if target is None or p95 <= target else f"  OVER {target} ms"
        print(f"{rule:<58} {role:<12} {status:>6} {p50:8.1f} {p95:8.1f}{flag}")
    print("\nslowest ten (p95):")
    for rule, role, status, p50, p95, target in sorted(rows, key=lambda row: -row[4])[:10]:
        print(f"  {p95:8.1f} ms  {rule} ({role}, {status})")
    over = [row for row in rows if row[5] is not None and row[4] > row[5]]
    print(f"\n{len(rows)} (route, role) timed; {len(over)} over their target"
          + "".join(f"\n  OVER: {rule} ({role}) p95 {p95:.0f} ms > {target} ms"
                    for rule, role, _, _, p95, target in over))


def writes(app, db, clients, ids, runs: int) -> list:
    """The main writes, each ``runs`` times on fresh records."""
    from intake.models import Category, Item, User
    from intake.services.accounts import issue_token

    with app.app_context():
        volunteer = db.session.scalar(sa.select(User).where(User.email == "benevole@demo.intake.fr"))
        technician = db.session.scalar(sa.select(User).where(User.email == "technicien@demo.intake.fr"))
        tokens = {"volunteer": issue_token(db.session, volunteer, name="bench"),
                  "technician": issue_token(db.session, technician, name="bench")}
        phone = db.session.scalar(sa.select(Category.id).where(Category.name == "Téléphone mobile"))
        received = list(db.session.scalars(sa.select(Item.code).where(Item.status == "received")
                                           .order_by(Item.id.desc()).limit(runs + 1)))
        ready = list(db.session.scalars(sa.select(Item.code).where(Item.status == "ready")
                                        .order_by(Item.id).limit(runs + 1)))
    donation = {"category_id": phone, "weight_kg": "0.2", "grade": "B", "collection_point_id": ids["point_id"]}
    rows = []

    def api_intake():
        response = clients["anonymous"].post("/api/v1/items", json={**donation, "client_uuid": str(uuid.uuid4())},
                                             headers={"Authorization": f"Bearer {tokens['volunteer']}"})
        return response.status_code

    def form_intake():
        response = clients["volunteer"].post("/intake", data={**donation, "client_uuid": str(uuid.uuid4()),
                                                              "source_id": 0, "container_id": 0},
                                             follow_redirects=True)
        return response.status_code

    moves, sales = iter(received), iter(ready)

    def status_change():
        response = clients["anonymous"].post(f"/api/v1/items/{next(moves)}/transitions",
                                             json={"to": "diagnosing", "from": "received"},
                                             headers={"Authorization": f"Bearer {tokens['technician']}"})
        return response.status_code

    def sale():
        response = clients["technician"].post(f"/i/{next(sales)}/sale", data={
            "price": "45", "sold_on": date.today().isoformat(), "channel": "shop", "warranty_months": 6,
            "seen_status": "ready"})
        return response.status_code

    for name, call in (("POST /api/v1/items (intake)", api_intake), ("POST /intake + next page", form_intake),
                       ("POST /api/v1/items/<code>/transitions", status_change), ("POST /i/<code>/sale", sale)):
        status, p50, p95 = measure(call, runs)
        rows.append((name, "write", status, p50, p95, PAGE_MS))
    return rows


if __name__ == "__main__":
    main()
