"""Engine set-up that SQLAlchemy cannot express in a URL.

SQLite is the embedded default, so it must behave under several gunicorn
workers: WAL so readers never block the writer, a busy timeout so a writer
waits instead of failing, foreign keys enforced, and write transactions that
take the write lock when they begin. A deferred transaction that reads and
then writes can meet another writer half-way and fail at once with "database
is locked" whatever the timeout; ``BEGIN IMMEDIATE`` queues it instead.

Page views begin deferred, so that readers never queue behind writers. When
one of them writes after all (a landlord's access log, a token's last use),
its reads are committed and the write goes into a transaction of its own that
begins with the write lock: whatever the request, no write ever has to
upgrade a read transaction.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READS_ONLY_OPTION = "intake_reads_only"


def init_app(app) -> None:
    """The engine's settings that a URL cannot carry (SQLite's pragmas and transaction start)."""
    from . import scoping
    from .extensions import db

    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        scoping.install_engine_wall(db.engine)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)


def private_file(path: str) -> None:
    """Make ``path`` readable and writable by its owner only, creating it empty if it is not there: the
    database holds people's names and the tenants' signatures. (SQLite gives its -wal and -shm files
    the database file's mode, and takes an empty file for a new database.)"""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)  # a file made before, by an older version or with a looser umask


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    database = engine.url.database
    # (In a folder that does not exist, the database cannot be opened either: /healthz says so.)
    if (database and database != ":memory:" and not database.startswith("file:")
            and os.path.isdir(os.path.dirname(os.path.abspath(database)))):
        private_file(database)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Take transaction control away from the sqlite3 module so that the
        # "begin" hook below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        reads_only = bool(connection.get_execution_options().get(READS_ONLY_OPTION) or _safe_request())
        connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")
        connection.info[HOLDS_WRITE_LOCK] = not reads_only

    @event.listens_for(engine, "before_cursor_execute")
    def before_write(connection, cursor, statement, parameters, context, executemany) -> None:
        if connection.info.get(HOLDS_WRITE_LOCK, True) or not _is_write(statement, context):
            return
        # A transaction begun to read is about to write. SQLite cannot upgrade it safely (a writer that
        # committed since its first read makes it fail at once), so the reads end here, having written
        # nothing, and the write starts a transaction of its own that queues for the lock.
        connection.info[HOLDS_WRITE_LOCK] = True
        dbapi_connection = cursor.connection
        dbapi_connection.execute("COMMIT")
        dbapi_connection.execute("BEGIN IMMEDIATE")


WRITE_STATEMENTS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})
HOLDS_WRITE_LOCK = "intake_holds_write_lock"


def _is_write(statement: str, context) -> bool:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    first_word = statement.lstrip().split(None, 1)[:1]
    return bool(first_word) and first_word[0].upper() in WRITE_STATEMENTS


def _safe_request() -> bool:
    """Page views read; everything else (forms, API writes, CLI) may write."""
    return has_request_context() and request.method in READ_ONLY_METHODS


@contextmanager
def reading(session):
    """Run a block that only reads in a transaction of its own, without the write lock.

    In a request that writes, the reads that come first (who is asking, does
    the category exist) then do not hold SQLite's single write lock, which is
    taken only by the transaction that follows. A write inside the block would
    end it and take the lock (see ``before_write``): keep writes after it.
    """
    if session.get_bind().dialect.name != "sqlite":
        # Other databases lock rows, not the whole file: one transaction is cheaper.
        yield
        return
    session.commit()
    session.connection(execution_options={READS_ONLY_OPTION: True})
    try:
        yield
    finally:
        session.commit()
