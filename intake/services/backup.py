"""Backups that are consistent while the app is writing."""

from __future__ import annotations

import os
import sqlite3
import subprocess

from sqlalchemy.engine import Engine

from ..database import private_file


def backup_database(engine: Engine, path: str) -> None:
    """SQLite: the online backup API, page by page. PostgreSQL: pg_dump, one snapshot."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        _backup_sqlite(url.database, path)
    elif url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            others = connection.exec_driver_sql(
                "SELECT nspname FROM pg_namespace WHERE nspname <> current_schema()"
                " AND NOT starts_with(nspname, 'pg_') AND nspname <> 'information_schema'"
                " ORDER BY nspname").scalars().all()
        _backup_postgresql(url, others, path)
    else:
        raise RuntimeError(f"no backup method for {url.get_backend_name()}")


def _backup_sqlite(database: str, path: str) -> None:
    draft = path + ".partial"
    private_file(draft)  # a copy of the database: its owner's only, like the database
    source = sqlite3.connect(database)
    try:
        target = sqlite3.connect(draft)
        try:
            # Copies in steps, letting writers in between; restarts if they write.
            source.backup(target, pages=1024)
        finally:
            target.close()
    finally:
        source.close()
    os.replace(draft, path)


def _backup_postgresql(url, other_schemas: list[str], path: str) -> None:
    """The app's schema only: another application's schemas in the same database are not ours to copy
    (nor, often, readable by our role). They are left out by name rather than ours picked with --schema,
    which would make the dump create `public` and so fail to restore into an empty database (that has one)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    # Every structure's rows, through row-level security (which a table owner is subject to as well).
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c intake.scope=all".strip()
    private_file(path)  # pg_dump writes into it, keeping its mode
    command = ["pg_dump", "--format=custom", "--no-owner", "--enable-row-security", f"--file={path}",
               *(f"--exclude-schema={_exact(name)}" for name in other_schemas),
               f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}", url.database]
    if url.username:
        command.insert(1, f"--username={url.username}")
    subprocess.run(command, check=True, env=env)


def _exact(name: str) -> str:
    """A schema name as a pg_dump pattern that matches it alone (double quotes: no wildcards, case kept)."""
    return '"' + name.replace('"', '""') + '"'
