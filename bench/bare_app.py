"""The baseline: bare Flask + Flask-SQLAlchemy, one JSON insert per request, same database settings.

Served by gunicorn beside intake in bench/intake_throughput.py; nothing of intake is imported.
"""

from __future__ import annotations

import os
import uuid

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event

db = SQLAlchemy()


class Row(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    client_uuid = db.Column(db.Uuid, unique=True, nullable=False)
    weight_kg = db.Column(db.Numeric(9, 3), nullable=False)
    grade = db.Column(db.String(1), nullable=False)


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BARE_DATABASE_URL"]
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # The same SQLite settings intake uses, so the comparison is about the app, not the pragmas.
            @event.listens_for(db.engine, "connect")
            def pragmas(dbapi_connection, _record):
                dbapi_connection.isolation_level = None
                for pragma in ("busy_timeout = 15000", "journal_mode = WAL", "synchronous = NORMAL"):
                    dbapi_connection.execute(f"PRAGMA {pragma}")

            @event.listens_for(db.engine, "begin")
            def begin(connection):
                connection.exec_driver_sql("BEGIN IMMEDIATE")

    @app.post("/items")
    def create_item():
        body = request.get_json()
        row = Row(client_uuid=uuid.UUID(body["client_uuid"]), weight_kg=body["weight_kg"], grade=body["grade"])
        db.session.add(row)
        db.session.commit()
        return jsonify(id=row.id), 201

    return app


def create_hello_app() -> Flask:
    """The floor of any page: bare Flask answering a constant string."""
    app = Flask(__name__)

    @app.get("/hello")
    def hello():
        return "hello"

    return app
