"""The proof harness: load, replays and crashes, backups, then the CI proof tests at full size; prints its figures.

    python bench/proof.py [--postgres URL | --no-postgres] [--intakes 2000] [--clients 16] [--workers 4]
                          [--fuzz-cases 2000] [--seed N] [--skip-tests]

For SQLite, then PostgreSQL (a database of its own, made and dropped here:
`--postgres postgresql://127.0.0.1:5432/proof` by default):

- load: ``--intakes`` intakes from ``--clients`` clients through gunicorn with
  ``--workers`` workers, while two landlords read their portal and two
  technicians move the new items on; a `flask --app intake backup` half-way.
  0 errors of any kind; p50/p99 of each kind of request. Then a photo bomb
  (a 270 KB PNG of 9,400 × 9,400 pixels): refused without a 5xx, and no
  worker's peak memory grows by more than 200 MB.
- backups: the one taken during the load restores into a fresh database with
  every intake acknowledged before it began, consistent; one taken after the
  load restores twice with the same rows per table and content hash as the
  live database.
- replays and crashes: every intake sent 1–4 times in random interleaving,
  a worker killed (kill -9) at a quarter and at half way, the whole server at
  three quarters, then restarted; the clients retry what got no answer. Every
  acknowledged intake stored exactly once under the code it was given, no item
  without its intake event, ``PRAGMA integrity_check`` ok on SQLite.
- the CI proof tests (tests/test_proof_*.py) at full size: schemathesis with
  ``--fuzz-cases`` cases shared between the databases, nasty strings, replays of 200
  intakes, backups.

Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
The exit status is 0 only when every figure is as promised.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402

from bench.harness import ROOT, free_port, gunicorn, wait_until_up  # noqa: E402
from bench.proof_checks import (create_database, database_digest, drop, intake_ledger, ledger_problems,  # noqa: E402
                                restore, sqlite_integrity)

PASSWORD = "proof harness password"
DEADLINE_S = 420  # no phase of one database runs longer than this
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


# A client ------------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection to 127.0.0.1, with its session cookie; every answer timed."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port, self.headers, self.cookie = port, dict(headers or {}), None
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, method: str, path: str, body=None, form: dict | None = None,
             files: dict | None = None) -> tuple[object, bytes, float]:
        """(status or the error's name, body, seconds); a failed connection is reopened for the next call."""
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload, headers["Content-Type"] = json.dumps(body), "application/json"
        elif files is not None:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                     for name, value in (form or {}).items()]
            parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.png"\r\n'
                      f'Content-Type: image/png\r\n\r\n'.encode() + data + b"\r\n" for name, data in files.items()]
            payload = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            payload, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        if self.cookie:
            headers["Cookie"] = self.cookie
        started = time.perf_counter()
        try:
            self.connection.request(method, path, payload, headers)
            response = self.connection.getresponse()
            data = response.read()
            cookie = response.getheader("Set-Cookie")
            if cookie and cookie.startswith("session="):
                self.cookie = cookie.split(";", 1)[0]
            return response.status, data, time.perf_counter() - started
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return type(error).__name__, b"", time.perf_counter() - started

    def csrf_token(self, path: str) -> str:
        _, page, _ = self.send("GET", path)
        match = CSRF.search(page.decode())
        return match.group(1) or match.group(2)

    def sign_in(self, email: str) -> None:
        status, _, _ = self.send("POST", "/login", form={"email": email, "password": PASSWORD,
                                                         "csrf_token": self.csrf_token("/login")})
        if status != 302:
            raise RuntimeError(f"{email} could not sign in ({status})")

    def close(self) -> None:
        self.connection.close()


class Tally:
    """Latencies and unexpected answers of one kind of request, from several threads."""

    def __init__(self):
        self.lock, self.latencies, self.errors = threading.Lock(), [], Counter()

    def add(self, status, seconds: float, expected=(200,)) -> bool:
        with self.lock:
            self.latencies.append(seconds)
            if status not in expected:
                self.errors[status] += 1
        return status in expected

    def line(self, name: str) -> str:
        if not self.latencies:
            return f"    {name:<22} no request"
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        errors = sum(self.errors.values())
        return (f"    {name:<22} {len(ordered):6} requests   p50 {statistics.median(ordered) * 1000:7.1f} ms   "
                f"p99 {p99 * 1000:7.1f} ms   errors {errors}" + (f" {dict(self.errors)}" if errors else ""))


# The server and its database -----------------------------------------------------------------------


class Site:
    """One database and the gunicorn serving it."""

    def __init__(self, database_url: str, instance: str, workers: int):
        self.database_url, self.instance, self.workers = database_url, instance, workers
        self.port, self.server = free_port(), None
        self.env = {"INTAKE_INSTANCE_PATH": instance, "INTAKE_SQLALCHEMY_DATABASE_URI": database_url,
                    "INTAKE_ENV": "development", "INTAKE_SECRET_KEY": "proof-harness-" + uuid.uuid4().hex}

    def prepare(self, handovers: int = 12) -> dict:
        """Migrations, the tests' small world (tests/factories.py), handovers to read, one token per role."""
        script = f"""
import json
from flask_migrate import upgrade
from intake import create_app
from intake.extensions import db
from intake.clock import local_today
from intake.services.accounts import issue_token
from intake.services.outcomes import Acceptance, record_handover
from tests import factories
factories.PASSWORD = {PASSWORD!r}
app = create_app()
with app.app_context():
    upgrade()
    world = factories.make_world()
    handovers = [record_handover(db.session, factories.make_ready(world), user=factories.user(world, "technician"),
                                 landlord_id=world.landlord_org_id, tenant_ref=f"LOC-{{n:04}}", residence="Les Justices",
                                 handed_on=local_today(), acceptance=Acceptance(typed_name="Camille Martin"),
                                 warranty_months=12, retention_days=365).id for n in range({handovers})]
    tokens = {{role: issue_token(db.session, factories.user(world, role)) for role in factories.ROLES}}
    print(json.dumps({{"world": world.__dict__, "handovers": handovers, "tokens": tokens}}))
"""
        made = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, **self.env})
        if made.returncode != 0:
            raise RuntimeError(f"preparing the database failed:\n{made.stderr[-3000:]}")
        return json.loads(made.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        self.server = gunicorn("intake:create_app()", self.env, self.port, workers=self.workers)
        wait_until_up(self.port)
        deadline = time.monotonic() + 30
        while len(self.workers_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)

    def workers_pids(self) -> list[int]:
        try:
            with open(f"/proc/{self.server.pid}/task/{self.server.pid}/children") as children:
                return [int(pid) for pid in children.read().split()]
        except OSError:
            return []

    def peak_rss_mb(self) -> dict[int, float]:
        """Each worker's peak resident memory so far (VmHWM), in MB."""
        peaks = {}
        for pid in self.workers_pids():
            try:
                with open(f"/proc/{pid}/status") as status:
                    kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
                peaks[pid] = int(kb) / 1024
            except (OSError, StopIteration):
                pass
        return peaks

    def kill_worker(self) -> int:
        pid = random.choice(self.workers_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_all(self) -> None:
        """kill -9 of the master and of every worker: a power cut, as far as the database can tell."""
        pids = [self.server.pid, *self.workers_pids()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.server.wait()
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{pid}") and not _is_zombie(pid) for pid in pids[1:]) \
                and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_all()

    def backup(self, path: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "flask", "--app", "intake", "backup", path], cwd=ROOT, check=True,
                       capture_output=True, env={**os.environ, **self.env})
        return time.perf_counter() - started

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.database_url)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def intake_body(world: dict, rng: random.Random) -> dict:
    category_id, weight = rng.choice(((world["phone_id"], 0.2), (world["bike_id"], 14), (world["bike_id"], 11.5)))
    return {"client_uuid": str(uuid.uuid4()), "category_id": category_id, "weight_kg": weight,
            "grade": rng.choice("ABCD"), "collection_point_id": world["point_id"], "brand": rng.choice(
                (None, "Fairphone", "Décathlon", "Peugeot"))}


# Load ------------------------------------------------------------------------------------------------


def load(site: Site, prepared: dict, args, rng: random.Random, folder: str) -> tuple[list[str], list[str]]:
    """The load with landlords and technicians at work, and a backup half-way; returns (lines, problems)."""
    world, tokens = prepared["world"], prepared["tokens"]
    bodies = [intake_body(world, rng) for _ in range(args.intakes)]
    queue, lock = iter(bodies), threading.Lock()
    acknowledged, moved_codes, done = {}, [], threading.Event()
    intakes, reads, moves = Tally(), Tally(), Tally()
    backup_mark = {}
    deadline = time.monotonic() + DEADLINE_S

    def intake_client():
        client = Client(site.port, {"Authorization": f"Bearer {tokens['volunteer']}"})
        while time.monotonic() < deadline:
            with lock:
                body = next(queue, None)
            if body is None:
                break
            status, data, seconds = client.send("POST", "/api/v1/items", body)
            if intakes.add(status, seconds, (201,)):
                with lock:
                    acknowledged[body["client_uuid"]] = json.loads(data)["code"]
                    moved_codes.append(json.loads(data)["code"])
        client.close()

    def landlord_reader(number: int):
        # A person at a desk: a page or an answer about once a second, through the portal and the API.
        page = Client(site.port)
        page.sign_in("landlord@example.org")
        api = Client(site.port, {"Authorization": f"Bearer {tokens['landlord']}"})
        views = [(page, "/landlord/"), (api, "/api/v1/landlord/handovers"), (page, "/landlord/export.csv")]
        views += [(page, f"/landlord/handovers/{h}") for h in prepared["handovers"][number::2]]
        views += [(api, f"/api/v1/landlord/handovers/{h}") for h in prepared["handovers"][number::2]]
        step = 0
        while not done.is_set() and time.monotonic() < deadline and step < 10_000:
            client, path = views[step % len(views)]
            status, _, seconds = client.send("GET", path)
            reads.add(status, seconds)
            step += 1
            done.wait(1.0)
        page.close()
        api.close()

    def technician(number: int):
        client = Client(site.port, {"Authorization": f"Bearer {tokens['technician']}"})
        mine = 0
        while time.monotonic() < deadline and mine < args.intakes:
            with lock:
                code = moved_codes.pop(0) if moved_codes else None
            if code is None:
                if done.is_set():
                    break
                time.sleep(0.05)
                continue
            mine += 1
            for seen, target in (("received", "diagnosing"), ("diagnosing", "repairing")):
                status, _, seconds = client.send("POST", f"/api/v1/items/{code}/transitions",
                                                 {"to": target, "from": seen, "note": f"technicien {number}"})
                moves.add(status, seconds)
            time.sleep(0.1)  # a person, not a script: about five items a second between the two
        client.close()

    def take_backup():
        while len(acknowledged) < args.intakes // 2 and time.monotonic() < deadline and not done.is_set():
            time.sleep(0.05)
        with lock:
            backup_mark["before"] = dict(acknowledged)
        backup_mark["seconds"] = site.backup(os.path.join(folder, "during-load.backup"))
        with lock:
            backup_mark["after"] = len(acknowledged)

    others = [threading.Thread(target=landlord_reader, args=(n,)) for n in range(2)]
    others += [threading.Thread(target=technician, args=(n,)) for n in range(2)]
    others.append(threading.Thread(target=take_backup))
    clients = [threading.Thread(target=intake_client) for _ in range(args.clients)]
    started = time.perf_counter()
    for thread in others + clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=DEADLINE_S + 30)
    wall = time.perf_counter() - started
    done.set()
    for thread in others:
        thread.join(timeout=DEADLINE_S + 30)

    engine = site.engine()
    figures = intake_ledger(engine, acknowledged)
    problems = [f"load: {problem}" for problem in ledger_problems(figures)]
    for name, tally in (("intake", intakes), ("landlord read", reads), ("technician move", moves)):
        if tally.errors:
            problems.append(f"load: {sum(tally.errors.values())} {name} errors {dict(tally.errors)}")
    if len(acknowledged) != args.intakes:
        problems.append(f"load: {len(acknowledged)} of {args.intakes} intakes acknowledged")
    lines = [f"  load: {args.intakes} intakes from {args.clients} clients in {wall:.1f} s "
             f"({args.intakes / wall:.0f}/s), gunicorn {args.workers} workers; 2 landlords reading, "
             f"2 technicians moving the new items",
             intakes.line("intake POST"), reads.line("landlord read"), moves.line("technician move"),
             _ledger_line(figures)]

    # The backup taken during the load: one moment of the database, with everything acknowledged before it.
    if "seconds" in backup_mark:
        restored = [restore(os.path.join(folder, "during-load.backup"), _restore_target(site, folder, f"during-{n}"),
                            site.database_url) for n in (1, 2)]
        try:
            copies = [sa.create_engine(url) for url in restored]
            during = intake_ledger(copies[0], backup_mark["before"])
            digests = [database_digest(copy) for copy in copies]
            for copy in copies:
                copy.dispose()
        finally:
            for url in restored:
                drop(url)
        problems += [f"backup during load: {problem}" for problem in ledger_problems(during)]
        if digests[0] != digests[1]:
            problems.append("backup during load: two restores differ")
        lines.append(f"    backup during load ({backup_mark['seconds']:.1f} s): {len(backup_mark['before'])} intakes "
                     f"acknowledged before it began, all but {len(during['lost'])} in it, with {during['others']} "
                     f"other items ({backup_mark['after']} acknowledged when it ended), without intake event "
                     f"{during['without_intake_event']}; restored twice: "
                     f"{'identical' if digests[0] == digests[1] else 'DIFFERENT'}")
    else:
        problems.append("backup during load: not taken")

    # A backup of the quiet database: restored twice, the same rows and content as the live one.
    live = database_digest(engine)
    engine.dispose()
    site.backup(os.path.join(folder, "after-load.backup"))
    restored = [restore(os.path.join(folder, "after-load.backup"), _restore_target(site, folder, f"after-{n}"),
                        site.database_url) for n in (1, 2)]
    try:
        digests = []
        for url in restored:
            copy = sa.create_engine(url)
            digests.append(database_digest(copy))
            if copy.dialect.name == "sqlite" and sqlite_integrity(copy) != "ok":
                problems.append("backup after load: integrity check of the restored copy failed")
            copy.dispose()
    finally:
        for url in restored:
            drop(url)
    equal_counts = all(counts == live[0] for counts, _ in digests)
    equal_hash = all(digest == live[1] for _, digest in digests)
    if not (equal_counts and equal_hash):
        problems.append("backup after load: the restored database differs from the live one")
    lines.append(f"    backup after load, restored twice: {sum(live[0].values())} rows in {len(live[0])} tables, "
                 f"counts {'equal' if equal_counts else 'DIFFERENT'}, content hash "
                 f"{'equal' if equal_hash else 'DIFFERENT'} ({live[1][:16]}…)")
    return lines, problems


def _any_item_code(site: Site) -> str:
    engine = site.engine()
    with engine.connect() as connection:
        code = connection.scalar(sa.text("SELECT code FROM item ORDER BY id DESC LIMIT 1"))
    engine.dispose()
    return code


def _restore_target(site: Site, folder: str, name: str) -> str:
    if site.database_url.startswith("sqlite"):
        return os.path.join(folder, f"restored-{name}.sqlite3")
    return f"{sa.make_url(site.database_url).database}_{name.replace('-', '_')}"


def _ledger_line(figures: dict) -> str:
    return (f"    acknowledged {figures['acknowledged']}, stored {figures['stored']} (other items "
            f"{figures['others']}), lost {len(figures['lost'])}, "
            f"duplicates {figures['duplicates']}, other code {len(figures['wrong_code'])}, without intake event "
            f"{figures['without_intake_event']}" + (f", integrity {figures['integrity']}" if "integrity" in figures
                                                   else ""))


# A photo bomb -----------------------------------------------------------------------------------------

BOMB_SIDE = 9400  # 370 KB of PNG that Pillow would decode into 88 million pixels


def photo_bomb(site: Site, code: str) -> tuple[list[str], list[str]]:
    """Upload a small PNG of 9,400 × 9,400 pixels as an item's photo: refused, and no worker's memory explodes."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (BOMB_SIDE, BOMB_SIDE), (255, 255, 255)).save(out, "PNG", optimize=True)
    client = Client(site.port)
    client.sign_in("volunteer@example.org")
    token = client.csrf_token(f"/i/{code}")
    before = site.peak_rss_mb()
    status, _, seconds = client.send("POST", f"/i/{code}/photo", form={"csrf_token": token},
                                     files={"photo": out.getvalue()})
    after = site.peak_rss_mb()
    _, page, _ = client.send("GET", f"/i/{code}")  # the message flashed on the item's page
    said = re.search(r'class="flash flash-(?:error|success)"[^>]*>([^<]*)<', page.decode())
    client.close()
    growth = max((after[pid] - before.get(pid, after[pid]) for pid in after), default=0.0)
    problems = []
    if not isinstance(status, int) or status >= 500:
        problems.append(f"photo bomb: answered {status}")
    if growth > 200:
        problems.append(f"photo bomb: a worker's peak memory grew by {growth:.0f} MB")
    if said is None or "flash-success" in said.group(0):
        problems.append(f"photo bomb: not refused with a message ({said.group(1) if said else 'no message'})")
    return ([f"    photo bomb ({len(out.getvalue()) // 1024} KB PNG, {BOMB_SIDE} × {BOMB_SIDE}): answered {status} in "
             f"{seconds:.1f} s, {said.group(1).strip() if said else 'no message'!r}; workers' peak memory "
             f"{max(after.values(), default=0):.0f} MB, grown by {growth:.0f} MB"], problems)


# Replays and crashes ---------------------------------------------------------------------------------


def replays_and_crashes(site: Site, prepared: dict, args, rng: random.Random) -> tuple[list[str], list[str]]:
    world, token = prepared["world"], prepared["tokens"]["volunteer"]
    bodies = [intake_body(world, rng) for _ in range(args.intakes)]
    sends = [body for body in bodies for _ in range(rng.randint(1, 4))]
    rng.shuffle(sends)
    queue, lock = iter(sends), threading.Lock()
    answers, tally = defaultdict(set), Tally()
    progress, retried, refused = Counter(), Counter(), Counter()
    deadline = time.monotonic() + DEADLINE_S
    crashes = []

    def client_loop():
        client = Client(site.port, {"Authorization": f"Bearer {token}"})
        while time.monotonic() < deadline:
            with lock:
                body = next(queue, None)
            if body is None:
                break
            # As the phone's outbox: what gets no answer (or a 5xx) is sent again, a bounded number of times.
            for attempt in range(40):
                status, data, seconds = client.send("POST", "/api/v1/items", body)
                if status in (200, 201):
                    tally.add(status, seconds, (200, 201))
                    with lock:
                        answers[body["client_uuid"]].add(json.loads(data)["code"])
                    break
                if isinstance(status, int) and status < 500:
                    tally.add(status, seconds, (200, 201))
                    with lock:
                        refused[status] += 1
                    break
                with lock:
                    retried[status if isinstance(status, str) else f"HTTP {status}"] += 1
                time.sleep(min(2.0, 0.05 * (attempt + 1)))
            with lock:
                progress["sent"] += 1
        client.close()

    def crasher():
        for share, action in ((0.25, "worker"), (0.5, "worker"), (0.75, "server")):
            while progress["sent"] < len(sends) * share and time.monotonic() < deadline:
                time.sleep(0.01)
            if progress["sent"] >= len(sends):
                break
            if action == "worker":
                crashes.append(f"worker {site.kill_worker()} killed at {progress['sent']} sends")
            else:
                site.kill_all()
                crashes.append(f"whole server killed at {progress['sent']} sends")
                time.sleep(0.5)
                site.start()

    threads = [threading.Thread(target=client_loop) for _ in range(args.clients)]
    killer = threading.Thread(target=crasher)
    started = time.perf_counter()
    for thread in threads + [killer]:
        thread.start()
    for thread in threads + [killer]:
        thread.join(timeout=DEADLINE_S + 60)
    wall = time.perf_counter() - started

    acknowledged = {key: next(iter(codes)) for key, codes in answers.items()}
    engine = site.engine()
    figures = intake_ledger(engine, acknowledged)
    engine.dispose()
    problems = [f"replays: {problem}" for problem in ledger_problems(figures)]
    two_codes = sum(1 for codes in answers.values() if len(codes) > 1)
    if two_codes:
        problems.append(f"replays: {two_codes} intakes answered with two different codes")
    if refused:
        problems.append(f"replays: refused answers {dict(refused)}")
    unanswered = args.intakes - len(acknowledged)
    if unanswered:
        problems.append(f"replays: {unanswered} intakes never acknowledged after 40 tries")
    if sum("killed" in crash for crash in crashes) < 3:
        problems.append(f"replays: only {len(crashes)} crashes happened")
    lines = [f"  replays and crashes: {args.intakes} intakes sent {len(sends)} times in random order from "
             f"{args.clients} clients in {wall:.1f} s; " + "; ".join(crashes),
             tally.line("intake POST (answered)"),
             f"    sends retried after no answer: {sum(retried.values())} {dict(retried) if retried else ''}",
             _ledger_line(figures) + (f", answered with two codes {two_codes}" if two_codes else "")]
    return lines, problems


# The CI proof tests at full size ---------------------------------------------------------------------


def proof_tests(args, fuzz_cases: int, postgres_tests_url: str | None, folder: str) -> tuple[list[str], list[str]]:
    report = os.path.join(folder, "fuzz.json")
    env = {**os.environ, "PROOF_FUZZ_CASES": str(fuzz_cases), "PROOF_REPLAY_INTAKES": "200",
           "PROOF_SEED": str(args.seed), "PROOF_REPORT": report}
    if postgres_tests_url:
        env["INTAKE_TEST_DATABASE_URL"] = postgres_tests_url
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_proof_backup.py",
                          "tests/test_proof_replays.py", "tests/test_proof_nasty_strings.py",
                          "tests/test_proof_fuzz.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    summary = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
    lines = [f"  CI proof tests at full size ({wall:.0f} s): {summary}"]
    problems = []
    if run.returncode != 0:
        failed = [line for line in run.stdout.splitlines() if line.startswith("FAILED")]
        problems += [f"tests: {line}" for line in failed] or [f"tests: pytest exited {run.returncode}"]
        with open(os.path.join(folder, "pytest.txt"), "w") as out:
            out.write(run.stdout + run.stderr)
    if os.path.exists(report):
        with open(report) as found:
            fuzz = json.load(found)
        lines.append(f"    fuzzing: {fuzz['cases']} schemathesis cases over {fuzz['operations']} operations, "
                     f"every role and anonymous: {fuzz['failures']} failures ({fuzz['distinct_failures']} distinct)")
        FUZZ_CASES_RUN.append(fuzz["cases"])
        if fuzz["cases"] < fuzz_cases:
            problems.append(f"fuzzing: only {fuzz['cases']} of {fuzz_cases} cases ran")
    return lines, problems


# The run ---------------------------------------------------------------------------------------------


def postgres_url(url: str, suffix: str = "") -> str:
    parsed = sa.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    return parsed.set(database=parsed.database + suffix).render_as_string(hide_password=False)


FUZZ_CASES_RUN: list[int] = []


def run_database(kind: str, args, folder: str, fuzz_cases: int) -> list[str]:
    rng = random.Random(args.seed)
    problems, lines = [], []
    print(f"\n{kind}", flush=True)
    for phase in ("load", "replays"):
        if kind == "sqlite":
            url = f"sqlite:///{folder}/{phase}.sqlite3"
        else:
            url = postgres_url(args.postgres, f"_{phase}")
            create_database(url)
        site = Site(url, os.path.join(folder, f"instance-{phase}"), args.workers)
        try:
            prepared = site.prepare()
            site.start()
            if phase == "load":
                found, wrong = load(site, prepared, args, rng, folder)
                bombed = photo_bomb(site, _any_item_code(site))
                found, wrong = found + bombed[0], wrong + bombed[1]
            else:
                found, wrong = replays_and_crashes(site, prepared, args, rng)
        finally:
            site.stop()
        if kind == "sqlite":
            integrity = sqlite_integrity(site.engine())
            if integrity != "ok":
                wrong.append(f"{phase}: PRAGMA integrity_check after the run: {integrity}")
        else:
            drop(url)
        print("\n".join(found), flush=True)
        lines += found
        problems += wrong
    if not args.skip_tests:
        tests_url = None
        if kind == "postgresql":
            tests_url = postgres_url(args.postgres, "_tests")
            create_database(tests_url)
        found, wrong = proof_tests(args, fuzz_cases, tests_url, folder)
        if tests_url:
            drop(tests_url)
        print("\n".join(found), flush=True)
        problems += wrong
    return [f"{kind}: {problem}" for problem in problems]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("PROOF_POSTGRES", "postgresql://127.0.0.1:5432/proof"),
                        help="a database name of your own: NAME_load, NAME_replays, NAME_tests are made and dropped")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--intakes", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--fuzz-cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(10_000))
    parser.add_argument("--skip-tests", action="store_true", help="only load, replays, crashes and backups")
    args = parser.parse_args()
    print(f"proof harness: seed {args.seed} (--seed {args.seed} replays this run's choices)")
    started = time.perf_counter()
    problems = []
    with tempfile.TemporaryDirectory(prefix="proof-") as folder:
        kinds = ("sqlite",) + (() if args.no_postgres or not args.postgres else ("postgresql",))
        for kind in kinds:
            # The fuzzing budget is shared: each database gets its part of --fuzz-cases.
            problems += run_database(kind, args, folder, -(-args.fuzz_cases // len(kinds)))
            if problems and os.path.exists(os.path.join(folder, "pytest.txt")):
                kept = os.path.join(ROOT, "bench", "out")
                os.makedirs(kept, exist_ok=True)
                os.replace(os.path.join(folder, "pytest.txt"), os.path.join(kept, f"proof-pytest-{kind}.txt"))
                print(f"  (pytest's output kept in bench/out/proof-pytest-{kind}.txt)")
    if FUZZ_CASES_RUN:
        print(f"\nfuzzing: {sum(FUZZ_CASES_RUN)} schemathesis cases in all")
    print(f"\n{'PASS' if not problems else 'FAIL'} in {time.perf_counter() - started:.0f} s")
    for problem in problems:
        print(f"  - {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
