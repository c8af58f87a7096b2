"""The scanned item's page (GET /i/<code>, signed in as a technician) measured against its own floor.

One command, one run: through gunicorn (2 sync workers) the bare Flask "hello", then, in the same intake
server, the signed-in floor (the manifest: session, user, headers and nothing else) and the item page of an
item with ``--events`` lines of history in a database of ``--items`` items (``flask demo --items N``); then,
in this process, the page's SQL queries and milliseconds, and with ``--profile`` where they go.

    python bench/item_page.py [--requests 2000] [--clients 8] [--events 300] [--items 1000000]
                              [--database sqlite:///…|postgresql+psycopg://…] [--profile]

Writing a million items takes a while: the database is kept (by default in
/tmp/intake-bench-item-page-<items>/) and filled once; the bench item is added once per ``--events``.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import os
import pstats
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import ROOT, free_port, gunicorn, hammer, wait_until_up  # noqa: E402

FLOOR_URL = "/manifest.webmanifest"
TARGET = 0.5  # the item page's share of the signed-in floor (issue 12)


def flask(instance: str, url: str, *arguments: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "intake", *arguments], cwd=ROOT, check=True,
                   env={**os.environ, "INTAKE_INSTANCE_PATH": instance, "INTAKE_SQLALCHEMY_DATABASE_URI": url})


def prepare(url: str, instance: str, items: int, events: int) -> tuple[str, str, str]:
    """The demo database of ``items`` items (made once) and an item with ``events`` lines of history (added
    once); returns its code and the technician's e-mail and password."""
    os.makedirs(instance, exist_ok=True)
    flask(instance, url, "upgrade")
    flask(instance, url, "demo", "--items", str(items))  # says so and adds nothing when data is there
    script = f"""
import uuid
from decimal import Decimal
import sqlalchemy as sa
from intake import create_app
from intake.extensions import db
from intake.models import Category, CollectionPoint, Item, ItemEvent, Membership, User
from intake.services.demo import DEMO_PASSWORD
from intake.services.intake import Donation, register_donation
app = create_app()
with app.app_context():
    user = db.session.scalar(sa.select(User).join(User.memberships)
                             .where(Membership.role == "technician", User.active).order_by(User.id))
    serial = "BENCH-HISTORY-{events}"
    item = db.session.scalar(sa.select(Item).where(Item.serial_number == serial))
    if item is None:
        category = db.session.scalar(sa.select(Category).where(Category.data_bearing).order_by(Category.id))
        point = db.session.scalar(sa.select(CollectionPoint).order_by(CollectionPoint.id))
        item = register_donation(db.session, Donation(client_uuid=uuid.uuid4(), category_id=category.id,
                                 weight_kg=Decimal("2.2"), grade="B", collection_point_id=point.id,
                                 serial_number=serial), user=user).item
        db.session.add_all(ItemEvent(item_id=item.id, kind="note", note=f"note {{i}}", user_id=user.id,
                                     collection_point_id=point.id) for i in range({events} - 1))
        db.session.commit()
    print(item.code, user.email, DEMO_PASSWORD)
"""
    output = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True,
                            env={**os.environ, "INTAKE_INSTANCE_PATH": instance,
                                 "INTAKE_SQLALCHEMY_DATABASE_URI": url}).stdout
    code, email, password = output.split()[-3:]
    return code, email, password


def login_form(email: str, password: str, page: str) -> str:
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return f"email={email.replace('@', '%40')}&password={password}&csrf_token={token}"


def sign_in(port: int, email: str, password: str) -> str:
    """The session cookie of the technician, through the real sign-in page."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/login")
    page = connection.getresponse()
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    connection.request("POST", "/login", login_form(email, password, page.read().decode()),
                       {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";", 1)[0]


def in_process(url: str, instance: str, code: str, email: str, password: str, rounds: int, profile: bool) -> dict:
    """The page and the floor through Flask's test client: median ms, queries per page, and a profile."""
    import sqlalchemy as sa

    os.environ["INTAKE_INSTANCE_PATH"] = instance
    from intake import create_app
    from intake.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data=login_form(email, password, page),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302, response.status_code
    statements = []
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    def timed(path: str) -> float:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            assert client.get(path).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    for _ in range(20):  # warm up: templates compiled, catalogues loaded, connections open
        client.get(f"/i/{code}")
        client.get(FLOOR_URL)
    result = {"page_ms": timed(f"/i/{code}"), "floor_ms": timed(FLOOR_URL)}
    statements.clear()
    client.get(f"/i/{code}")
    result["queries"] = len(statements)
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(rounds):
            client.get(f"/i/{code}")
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        result["profile"] = out.getvalue()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database", help="a database URL (default: a SQLite file kept between runs)")
    parser.add_argument("--instance", help="the instance folder (default: beside the SQLite file)")
    parser.add_argument("--rounds-http", type=int, default=4, help="alternating rounds of floor and page")
    parser.add_argument("--rounds", type=int, default=200, help="in-process requests per figure")
    parser.add_argument("--profile", action="store_true", help="print where the in-process page's time goes")
    args = parser.parse_args()
    folder = args.instance or f"/tmp/intake-bench-item-page-{args.items}"
    url = args.database or f"sqlite:///{folder}/intake.sqlite3"
    code, email, password = prepare(url, folder, args.items, args.events)

    port = free_port()
    server = gunicorn("bench.bare_app:create_hello_app()", {}, port)
    try:
        wait_until_up(port)
        hammer(port, "GET", "/hello", {}, [None] * 200, args.clients, expected=200)
        bare = hammer(port, "GET", "/hello", {}, [None] * args.requests, args.clients, expected=200)
    finally:
        server.terminate()
        server.wait()

    port = free_port()
    server = gunicorn("intake:create_app()", {"INTAKE_INSTANCE_PATH": folder, "INTAKE_SQLALCHEMY_DATABASE_URI": url},
                      port)
    try:
        wait_until_up(port)
        cookie = sign_in(port, email, password)
        # Warm both workers (templates, catalogues, connections, the database's pages) before anything counts.
        hammer(port, "GET", f"/i/{code}", {"Cookie": cookie}, [None] * 200, args.clients, expected=200)
        hammer(port, "GET", FLOOR_URL, {"Cookie": cookie}, [None] * 200, args.clients, expected=200)
        # Rounds alternate between the floor and the page, so that both meet the same machine (it is shared
        # and noisy); the ratio is the median of the rounds'.
        floors, pages, per_round = [], [], [None] * (args.requests // args.rounds_http)
        for _ in range(args.rounds_http):
            floors.append(hammer(port, "GET", FLOOR_URL, {"Cookie": cookie}, per_round, args.clients, expected=200))
            pages.append(hammer(port, "GET", f"/i/{code}", {"Cookie": cookie}, per_round, args.clients, expected=200))
    finally:
        server.terminate()
        server.wait()
    local = in_process(url, folder, code, email, password, args.rounds, args.profile)

    kind = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{args.requests} GETs from {args.clients} clients, gunicorn 2 sync workers, {kind}, "
          f"{args.items} items, item with {args.events} events")
    floor, page = (min(runs, key=lambda run: abs(run["per_second"] - statistics.median(r["per_second"] for r in runs)))
                   for runs in (floors, pages))  # the median round of each, for its latencies
    for name, run in (("bare Flask hello", bare), ("signed-in floor", floor), (f"item page /i/{code}", page)):
        print(f"  {name:<24} {run['per_second']:8.1f} req/s   p50 {run['p50_ms']:6.1f} ms   "
              f"p99 {run['p99_ms']:6.1f} ms   errors {sum(r['errors'] for r in floors + pages + [bare])}")
    ratios = sorted(p["per_second"] / f["per_second"] for p, f in zip(pages, floors))
    print(f"  ratio signed-in floor / bare: {floor['per_second'] / bare['per_second']:.2f}")
    print(f"  ratio item page / bare: {page['per_second'] / bare['per_second']:.2f}")
    print(f"  ratio item page / signed-in floor: median {statistics.median(ratios):.2f} "
          f"(rounds {ratios[0]:.2f}–{ratios[-1]:.2f}; target >= {TARGET})")
    print(f"  in process (test client, median of {args.rounds}): item page {local['page_ms']:.2f} ms, "
          f"floor {local['floor_ms']:.2f} ms, {local['queries']} SQL queries per page")
    if args.profile:
        print(local["profile"])


if __name__ == "__main__":
    main()
