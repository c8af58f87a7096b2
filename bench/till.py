"""Till baskets per second through gunicorn (2 workers), next to bare_app.py's insert in the same run; and the
Z of a day of 2,000 sales, in server time.

    python bench/till.py [--sales 1000] [--clients 8] [--database sqlite|postgresql] [--z-sales 2000]

Each basket is what a counter sells: a labelled item (sold through the status machine), books by weight
(leaving the category's kg stock), a discount, paid part cash part card; the whole hash-chained. It is an
HTML form post with its CSRF token, from signed-in cashiers (one session per client). The figure that
matters is the ratio till / bare (target >= 0.3); these machines are noisy.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import ROOT, free_port, gunicorn, hammer, scratch_postgres, wait_until_up  # noqa: E402




PASSWORD = "bench-password-till"
SECRET = "bench-secret-key-shared-by-both-workers"

PREPARE = """
import sys, uuid
from decimal import Decimal
import sqlalchemy as sa
from intake import create_app
from intake.extensions import db
from intake.models import Category, CollectionPoint, Item
from intake.services.accounts import create_user
from intake.services.codes import new_code
from intake.services.lots import LotEntry, record_lot
from intake.services.till.closes import open_session
from intake.services.till.sales import methods
from flask_migrate import upgrade
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
count = int(sys.argv[2])
with app.app_context():
    upgrade()
    point = CollectionPoint(name="Bench")
    lamp = Category(name="Lampe", family="electrical", default_weight_kg=Decimal("1.5"))
    books = Category(name="Livres", family="books_media")
    db.session.add_all([point, lamp, books]); db.session.commit()
    cashier = create_user(db.session, email="cashier@example.org", name="Bench", role="technician", password=sys.argv[3])
    # Ready items to sell (not data-bearing: nothing to erase), inserted at once: the intake path is benched apart.
    db.session.execute(sa.insert(Item), [
        {"code": new_code(), "client_uuid": uuid.uuid4(), "intake_digest": "0" * 64, "category_id": lamp.id,
         "weight_kg": Decimal("1.5"), "grade": "A", "collection_point_id": point.id, "status": "ready",
         "structure_id": lamp.structure_id} for _ in range(count)])
    db.session.commit()
    for _ in range(count * 2 // 5000 + 1):
        record_lot(db.session, LotEntry(category_id=books.id, gross_kg=Decimal(5000), collection_point_id=point.id),
                   user=cashier)
    till = open_session(db.session, device="Bench", opening_float=Decimal(100), user=cashier)
    codes = list(db.session.scalars(sa.select(Item.code).where(Item.status == "ready").order_by(Item.id)))
    ids = {m.code: m.id for m in methods(db.session)}
    print(till.id, books.id, ids["cash"], ids["card"], ",".join(codes))
"""


def prepare_till(database_url: str, instance: str, count: int) -> tuple[int, int, int, int, list[str]]:
    out = subprocess.run([sys.executable, "-c", PREPARE, database_url, str(count), PASSWORD], cwd=ROOT, check=True,
                         capture_output=True, text=True, env={**os.environ, "INTAKE_INSTANCE_PATH": instance})
    till, books, cash, card, codes = out.stdout.split()[-5:]
    return int(till), int(books), int(cash), int(card), codes.split(",")


class Cashier:
    """A signed-in browser, as far as the till needs: a keep-alive connection, the session cookie, the token."""

    def __init__(self, port: int, till: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
        self.request("POST", "/login", {"email": "cashier@example.org", "password": PASSWORD,
                                        "csrf_token": token.group(1) or token.group(2)})
        page = self.request("GET", f"/till/sessions/{till}/sale")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
        self.token = token.group(1) or token.group(2)

    def request(self, method: str, path: str, form: dict | list | None = None, keep_cookie: bool = False) -> str:
        """``keep_cookie``: send the session as it is and do not take the one answered. A sale answers with its
        "Paid" message kept in the session for the ticket page; a cashier reads it there, this bench does not
        open that page, and without this the messages of every sale would pile up in the cookie."""
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session=") and not keep_cookie:
                self.cookie = value.split(";", 1)[0]
        self.status = response.status
        return text


def basket(code: str, books: int, cash: int, card: int, token: str) -> list:
    lines = [("item", code, "", "30", "1", "", ""), ("goods", "", str(books), "3", "1", "1,2", ""),
             ("discount", "", "", "5", "1", "", "Tarif solidaire")]
    form = [("csrf_token", token), ("action", "pay")]
    for line in lines:
        form += list(zip(("kind", "code", "category_id", "price", "quantity", "weight", "reason"), line))
    return form + [("method_id", cash), ("amount", "20"), ("method_id", card), ("amount", "8")]


def sell(cashiers: list[Cashier], till: int, codes: list[str], books: int, cash: int, card: int) -> dict:
    queue, lock, latencies, errors = iter(codes), threading.Lock(), [], []

    def work(cashier: Cashier):
        while True:
            with lock:
                code = next(queue, None)
            if code is None:
                return
            started = time.perf_counter()
            cashier.request("POST", f"/till/sessions/{till}/sale", basket(code, books, cash, card, cashier.token),
                            keep_cookie=True)
            with lock:
                latencies.append(time.perf_counter() - started)
                if cashier.status != 302:
                    errors.append(cashier.status)

    threads = [threading.Thread(target=work, args=(cashier,)) for cashier in cashiers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"per_second": len(latencies) / elapsed, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1], "errors": len(errors)}


Z_TIMING = """
import sys, time, statistics, uuid
from datetime import timedelta
from decimal import Decimal
import sqlalchemy as sa
from intake import create_app
from intake.clock import now_utc
from intake.extensions import db
from intake.models import Category, TillLine, TillPayment, TillSale, User
from intake.services.accounts import create_user
from intake.services.till.closes import open_session, z_report
from intake.services.till.sales import methods
from flask_migrate import upgrade
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
count = int(sys.argv[2])
with app.app_context():
    upgrade()
    categories = [Category(name=f"Cat {n}", family="other") for n in range(12)]
    db.session.add_all(categories); db.session.commit()
    cashier = create_user(db.session, email="z@example.org", name="Z", role="technician", password="z-password-bench")
    till = open_session(db.session, device="Z", opening_float=Decimal(100), user=cashier)
    cash, card = (next(m.id for m in methods(db.session) if m.code == code) for code in ("cash", "card"))
    # A day of sales written at once (the chain is not what is timed here: the Z is).
    now = now_utc()
    sales = [{"session_id": till.id, "kind": "sale", "at": now + timedelta(seconds=n), "cashier_id": cashier.id,
              "total": Decimal("28.00"), "change_given": Decimal("2.00"), "chain_seq": n + 1, "prev_hash": "0" * 64,
              "hash": "0" * 64, "structure_id": till.structure_id} for n in range(count)]
    db.session.execute(sa.insert(TillSale), sales); db.session.commit()
    ids = list(db.session.scalars(sa.select(TillSale.id).order_by(TillSale.id)))
    lines, payments = [], []
    for n, sale_id in enumerate(ids):
        for position, (kind, amount, category) in enumerate((("goods", "20", categories[n % 12].id),
                                                             ("goods", "13", categories[(n + 5) % 12].id),
                                                             ("discount", "-5", None)), start=1):
            lines.append({"sale_id": sale_id, "position": position, "kind": kind, "category_id": category,
                          "label": "x", "quantity": 1, "weight_kg": Decimal("1.2") if category else None,
                          "amount": Decimal(amount), "reason": "r" if kind == "discount" else None,
                          "refurbished": False, "structure_id": till.structure_id})
        payments += [{"sale_id": sale_id, "position": 1, "method_id": cash, "amount": Decimal("20"),
                      "structure_id": till.structure_id},
                     {"sale_id": sale_id, "position": 2, "method_id": card, "amount": Decimal("10"),
                      "structure_id": till.structure_id}]
    db.session.execute(sa.insert(TillLine), lines); db.session.execute(sa.insert(TillPayment), payments)
    db.session.commit()
    timings = []
    for _ in range(7):
        db.session.expire_all()
        started = time.perf_counter()
        z = z_report(db.session, till)
        timings.append(1000 * (time.perf_counter() - started))
    assert z["sales"] == count and z["total"] == f"{28 * count}.00", z
    client = app.test_client()
    pages = []
    with client:
        page = client.get("/login")
        import re
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        client.post("/login", data={"email": "z@example.org", "password": "z-password-bench", "csrf_token": token})
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(f"/till/sessions/{till.id}")
            pages.append(1000 * (time.perf_counter() - started))
            assert response.status_code == 200
    print(f"{statistics.median(timings):.1f} {max(timings):.1f} {statistics.median(pages):.1f}")
"""


def z_timing(database_url: str, instance: str, count: int) -> tuple[float, float, float]:
    out = subprocess.run([sys.executable, "-c", Z_TIMING, database_url, str(count)], cwd=ROOT, check=True,
                         capture_output=True, text=True, env={**os.environ, "INTAKE_INSTANCE_PATH": instance})
    median, worst, page = out.stdout.split()[-3:]
    return float(median), float(worst), float(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=1000, help="baskets sold, over all rounds")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--z-sales", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        if args.database == "sqlite":
            till_url = f"sqlite:///{folder}/till.sqlite3"
            bare_url = f"sqlite:///{folder}/bare.sqlite3"
        else:
            till_url = scratch_postgres()
            bare_url = till_url
        create_bare = "from bench.bare_app import create_app, db; app = create_app(); app.app_context().push(); db.create_all()"
        subprocess.run([sys.executable, "-c", create_bare], cwd=ROOT, check=True,
                       env={**os.environ, "BARE_DATABASE_URL": bare_url})
        warm = 50
        till, books, cash, card, codes = prepare_till(till_url, folder, args.sales + warm)

        bare_port, till_port = free_port(), free_port()
        servers = [
            gunicorn("bench.bare_app:create_app()", {"BARE_DATABASE_URL": bare_url}, bare_port),
            gunicorn("intake:create_app()", {"INTAKE_INSTANCE_PATH": folder, "INTAKE_SQLALCHEMY_DATABASE_URI": till_url,
                                             "INTAKE_SECRET_KEY": SECRET}, till_port),
        ]
        bare_runs, till_runs = [], []
        try:
            wait_until_up(bare_port)
            wait_until_up(till_port)
            hammer(bare_port, "POST", "/items", {}, [{"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2,
                                                    "grade": "B"} for _ in range(100)], args.clients)
            cashiers = [Cashier(till_port, till) for _ in range(args.clients)]  # signed in once
            sell(cashiers, till, codes[:warm], books, cash, card)
            per_round = args.sales // args.rounds
            for number in range(args.rounds):
                bodies = [{"client_uuid": str(uuid.uuid4()), "weight_kg": 0.2, "grade": "B"} for _ in range(per_round)]
                bare_runs.append(hammer(bare_port, "POST", "/items", {}, bodies, args.clients))
                chunk = codes[warm + number * per_round: warm + (number + 1) * per_round]
                till_runs.append(sell(cashiers, till, chunk, books, cash, card))
        finally:
            for server in servers:
                server.terminate()
                server.wait()
        z_url = f"sqlite:///{folder}/z.sqlite3" if args.database == "sqlite" else scratch_postgres()
        z_median, z_worst, z_page = z_timing(z_url, folder, args.z_sales)

    ratios = sorted(t["per_second"] / b["per_second"] for t, b in zip(till_runs, bare_runs))
    print(f"database: {args.database}, {args.rounds} × {per_round} baskets (item + books by weight + discount, "
          f"cash + card) from {args.clients} signed-in cashiers, gunicorn 2 sync workers")
    for name, runs in (("bare Flask insert", bare_runs), ("till basket POST", till_runs)):
        print(f"  {name:<28} {statistics.median(r['per_second'] for r in runs):8.1f} req/s   "
              f"p50 {statistics.median(r['p50_ms'] for r in runs):6.1f} ms   "
              f"p99 {max(r['p99_ms'] for r in runs):6.1f} ms   errors {sum(r['errors'] for r in runs)}")
    print(f"  ratio till / bare: median {statistics.median(ratios):.2f} (rounds {min(ratios):.2f}–{max(ratios):.2f}; "
          f"target >= 0.3, 0 errors)")
    print(f"  Z of {args.z_sales} sales: z_report {z_median:.1f} ms median ({z_worst:.1f} worst of 7), the Z page "
          f"{z_page:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
