"""Engine set-up that SQLAlchemy cannot express in a URL.

SQLite is the embedded default, so it must behave under several gunicorn
workers: WAL so readers never block the writer, a busy timeout so a writer
waits instead of failing, foreign keys enforced, and write transactions that
take the write lock when they begin. A deferred transaction that reads and
then writes can meet another writer half-way and fail at once with "database
is locked" whatever the timeout; ``BEGIN IMMEDIATE`` queues it instead.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READS_ONLY_OPTION = "intake_reads_only"


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
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
        reads_only = connection.get_execution_options().get(READS_ONLY_OPTION) or _safe_request()
        connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def _safe_request() -> bool:
    """Page views read; everything else (forms, API writes, CLI) may write."""
    return has_request_context() and request.method in READ_ONLY_METHODS


@contextmanager
def reading(session):
    """Run a block that only reads in a transaction of its own, without the write lock.

    In a request that writes, the reads that come first (who is asking, does
    the category exist) then do not hold SQLite's single write lock, which is
    taken only by the transaction that follows. Writing inside the block is
    a mistake: it could meet another writer and fail.
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
