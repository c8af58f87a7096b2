"""What the proof harness checks in a database, shared by its CI tests (tests/test_proof_*.py) and bench/proof.py.

Every check reads the database directly, not through the app: it must see
what was stored, not what the app believes it stored.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import shutil
import subprocess
import uuid
from collections import Counter

import sqlalchemy as sa

ITEMS = sa.table("item", sa.column("id", sa.Integer), sa.column("code", sa.String),
                 sa.column("client_uuid", sa.Uuid))
EVENTS = sa.table("item_event", sa.column("item_id", sa.Integer), sa.column("kind", sa.String))


def _plain(value) -> str:
    """One value as stable text: the same stored content gives the same text whatever the driver returns."""
    if value is None:
        return "∅"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "b:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return repr(value)


def database_digest(engine: sa.Engine) -> tuple[dict[str, int], str]:
    """Rows per table and one SHA-256 over every row of every table, in primary-key order."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    counts, digest = {}, hashlib.sha256()
    with engine.connect() as connection:
        for name in sorted(metadata.tables):
            table = metadata.tables[name]
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*order)).all()
            counts[name] = len(rows)
            digest.update(f"\x1e{name}\x1f{len(rows)}".encode())
            for row in rows:
                digest.update(("\x1f".join(_plain(value) for value in row) + "\n").encode())
    return counts, digest.hexdigest()


def sqlite_integrity(engine: sa.Engine) -> str:
    """'ok', or what PRAGMA integrity_check and foreign_key_check found."""
    with engine.connect() as connection:
        found = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
        orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if found == ["ok"] and not orphans:
        return "ok"
    return "; ".join(found + [f"foreign key: {tuple(row)}" for row in orphans])


def intake_ledger(engine: sa.Engine, acknowledged: dict[str, str]) -> dict:
    """Compare what clients were told (client_uuid -> code) with what the database holds.

    ``stored``: acknowledged intakes found in the database; ``others``: items stored that no
    answer acknowledged (made otherwise, or whose answer never arrived); ``lost``:
    acknowledged but not stored; ``duplicates``: a client_uuid stored more than once;
    ``wrong_code``: stored under another code than the one acknowledged;
    ``without_intake_event``: an item with no "received" event in its history.
    """
    with engine.connect() as connection:
        stored = connection.execute(sa.select(ITEMS.c.client_uuid, ITEMS.c.code)).all()
        without_event = connection.scalar(
            sa.select(sa.func.count()).select_from(ITEMS).where(~sa.exists().where(
                EVENTS.c.item_id == ITEMS.c.id, EVENTS.c.kind == "received")))
    per_uuid = Counter(str(client_uuid) for client_uuid, _ in stored)
    code_of = {str(client_uuid): code for client_uuid, code in stored}
    figures = {
        "acknowledged": len(acknowledged),
        "stored": sum(1 for key in acknowledged if key in per_uuid),
        "others": sum(1 for key in per_uuid if key not in acknowledged),
        "lost": sorted(key for key in acknowledged if key not in per_uuid),
        "duplicates": sum(count - 1 for count in per_uuid.values() if count > 1),
        "wrong_code": sorted(key for key, code in acknowledged.items() if key in code_of and code_of[key] != code),
        "without_intake_event": without_event,
    }
    if engine.dialect.name == "sqlite":
        figures["integrity"] = sqlite_integrity(engine)
    return figures


def ledger_problems(figures: dict) -> list[str]:
    """The ledger's figures that break the promise: every acknowledged intake stored exactly once."""
    problems = []
    if figures["lost"]:
        problems.append(f"{len(figures['lost'])} acknowledged intakes not stored, e.g. {figures['lost'][:3]}")
    if figures["duplicates"]:
        problems.append(f"{figures['duplicates']} intakes stored twice")
    if figures["wrong_code"]:
        problems.append(f"{len(figures['wrong_code'])} stored under another code than acknowledged")
    if figures["without_intake_event"]:
        problems.append(f"{figures['without_intake_event']} items without their intake event")
    if figures.get("integrity", "ok") != "ok":
        problems.append(f"integrity check: {figures['integrity']}")
    return problems


def restore(backup_path, target: str, database_url: str) -> str:
    """Restore a `flask --app intake backup` file into a fresh database named ``target``; returns its URL.

    SQLite: the backup is a database file, copied to ``target`` (a path). PostgreSQL: a new
    database ``target`` on the same server (dropped first if it exists) and pg_restore.
    """
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        shutil.copyfile(backup_path, target)
        return f"sqlite:///{target}"
    create_database(url.set(database=target).render_as_string(hide_password=False))
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--host={url.host or 'localhost'}",
                    f"--port={url.port or 5432}", f"--dbname={target}", str(backup_path)]
                   + ([f"--username={url.username}"] if url.username else []), check=True)
    return url.set(database=target).render_as_string(hide_password=False)


def create_database(database_url: str) -> None:
    """A new, empty PostgreSQL database at this URL (dropped first if it exists)."""
    drop(database_url)
    url = sa.make_url(database_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    admin.dispose()


def drop(database_url: str) -> None:
    """Drop a PostgreSQL database made by ``restore`` (a SQLite copy is a file of the caller's)."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "postgresql":
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}"')
        admin.dispose()
