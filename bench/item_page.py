"""The scanned item's page (GET /i/<code>, signed in as a technician) through gunicorn (2 workers),
next to a bare Flask "hello" endpoint in the same run.

    python bench/item_page.py [--requests 2000] [--clients 8] [--events 30]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import ROOT, free_port, gunicorn, hammer, wait_until_up  # noqa: E402

PASSWORD = "bench-password"


def prepare(database_url: str, instance: str, events: int) -> str:
    """A migrated database with one item and ``events`` lines of history; returns its code."""
    script = f"""
import uuid
from decimal import Decimal
from flask_migrate import upgrade
from intake import create_app
from intake.extensions import db
from intake.models import Category, CollectionPoint, ItemEvent
from intake.services.accounts import create_user
from intake.services.intake import Donation, register_donation
app = create_app({{"SQLALCHEMY_DATABASE_URI": {database_url!r}}})
with app.app_context():
    upgrade()
    point = CollectionPoint(name="Bench")
    category = Category(name="Ordinateur portable", family="electrical", data_bearing=True,
                        checklist=["Écran", "Clavier", "Batterie"])
    db.session.add_all([point, category]); db.session.commit()
    user = create_user(db.session, email="tech@example.org", name="Tech", role="technician", password={PASSWORD!r})
    item = register_donation(db.session, Donation(client_uuid=uuid.uuid4(), category_id=category.id,
                             weight_kg=Decimal("2.2"), grade="B", collection_point_id=point.id), user=user).item
    db.session.add_all(ItemEvent(item_id=item.id, kind="note", note=f"note {{i}}", user_id=user.id) for i in range({events}))
    db.session.commit()
    print(item.code)
"""
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True,
                          env={**os.environ, "INTAKE_INSTANCE_PATH": instance}).stdout.split()[-1]


def sign_in(port: int) -> str:
    """The session cookie of the technician, through the real sign-in page."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/login")
    page = connection.getresponse()
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()).group(1)
    body = f"email=tech%40example.org&password={PASSWORD}&csrf_token={token}"
    connection.request("POST", "/login", body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--events", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        server = gunicorn("bench.bare_app:create_hello_app()", {}, port)
        try:
            wait_until_up(port)
            bare = hammer(port, "GET", "/hello", {}, [None] * args.requests, args.clients, expected=200)
        finally:
            server.terminate()
            server.wait()

        url = f"sqlite:///{folder}/intake.sqlite3"
        code = prepare(url, folder, args.events)
        port = free_port()
        server = gunicorn("intake:create_app()", {"INTAKE_INSTANCE_PATH": folder, "INTAKE_SQLALCHEMY_DATABASE_URI": url},
                          port)
        try:
            wait_until_up(port)
            cookie = sign_in(port)
            page = hammer(port, "GET", f"/i/{code}", {"Cookie": cookie}, [None] * args.requests, args.clients,
                          expected=200)
            # The floor of any signed-in request here (session, user, headers, a JSON answer): how much of
            # the bare hello's speed is left for a page at all.
            floor = hammer(port, "GET", "/manifest.webmanifest", {"Cookie": cookie}, [None] * args.requests,
                           args.clients, expected=200)
        finally:
            server.terminate()
            server.wait()

    print(f"{args.requests} GETs from {args.clients} clients, gunicorn 2 sync workers, SQLite, {args.events} events")
    for name, run in (("bare Flask hello", bare), ("signed-in manifest", floor), (f"item page /i/{code}", page)):
        print(f"  {name:<24} {run['per_second']:8.1f} req/s   p50 {run['p50_ms']:6.1f} ms   "
              f"p99 {run['p99_ms']:6.1f} ms   errors {run['errors']} {run['first_errors'] or ''}")
    print(f"  ratio signed-in floor / bare: {floor['per_second'] / bare['per_second']:.2f}")
    print(f"  ratio item page / bare: {page['per_second'] / bare['per_second']:.2f} (target >= 0.35)")


if __name__ == "__main__":
    main()
