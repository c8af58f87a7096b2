"""The wall between structures: every record belongs to one structure, and every query sees one.

One instance may serve many structures (a network's hosting). Which structure a piece of work
belongs to is held for the request (in ``flask.g``, set by ``web.access`` once it knows who is asking)
or for a block (``scoped_to``, ``all_structures``: a context variable), and read here in two places:

* the ORM wall: every ORM query of a model that carries a ``structure_id`` (``StructureScoped``)
  gets ``structure_id = <current>`` added, loader criteria included, in ``do_orm_execute``. Views
  and services never filter by structure themselves;
* on PostgreSQL, a second wall: row-level security policies on every such table (made by the
  migration) read two per-transaction settings, written here when each transaction begins. A query
  the ORM wall does not see (raw SQL, a forgotten option) still returns nothing of another structure.

Three scopes: one structure (signed-in staff); every structure, asked for by name
(``all_structures()``: the CLI, migrations, a landlord's portal, a network's aggregates, the public
passport, where the service filters by what the caller may see); and nothing, the default of a
request until its user is known, so that an anonymous page reads no structure's records by accident.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

# The ORM statement's option that lifts the ORM wall for one query (a service reading across structures
# on purpose, e.g. the landlord's portal, which filters by the landlord itself).
ALL_STRUCTURES_OPTION = "intake_all_structures"


@dataclass(frozen=True)
class Scope:
    structure_id: int | None = None
    everything: bool = False

    @property
    def setting(self) -> str:
        """The value of the PostgreSQL setting ``intake.scope``."""
        return "all" if self.everything else ("one" if self.structure_id else "none")


NOTHING = Scope()
EVERYTHING = Scope(everything=True)

# A block's own scope (``scoped_to``, ``all_structures``), above the request's.
_override: ContextVar[Scope | None] = ContextVar("intake_structure_scope", default=None)
REQUEST_SCOPE = "intake_scope"  # in flask.g: the request's scope, set once its user is known


def current_scope() -> Scope:
    """A block's own scope, else the request's (NOTHING until its user is known), else, outside any
    request (CLI, tests, the shell), every structure."""
    override = _override.get()
    if override is not None:
        return override
    if has_request_context():
        return g.get(REQUEST_SCOPE, NOTHING)
    return EVERYTHING


def current_structure_id() -> int | None:
    """The structure the work belongs to, or None when every structure (or none) is in scope."""
    return current_scope().structure_id


def enter(scope: Scope) -> None:
    """The request works in ``scope`` from now on (``web.access``, once it knows who asks)."""
    g.intake_scope = scope


def set_scope(scope: Scope):
    """Override the scope until ``reset_scope(token)``."""
    return _override.set(scope)


def reset_scope(token) -> None:
    _override.reset(token)


def scoped_to(structure_id: int, session=None):
    """Work as a member of one structure (a CLI command, a test, a job) for the block."""
    return _block(Scope(structure_id=int(structure_id)), session)


def all_structures(session=None):
    """Read across structures for the block, on purpose: the caller filters by what may be seen."""
    return _block(EVERYTHING, session)


@contextmanager
def _block(scope: Scope, session=None):
    token = _override.set(scope)
    _tell_open_transactions(session)
    try:
        yield
    finally:
        _override.reset(token)
        _tell_open_transactions(session)


def _tell_open_transactions(session) -> None:
    """A block changes the scope: an open PostgreSQL transaction must hear it too (on the way in and out),
    or its row-level security would still read the scope it began with — the app's session's, and
    ``session``'s when the caller works with another (a script's, a test's)."""
    if has_app_context():
        from .extensions import db

        refresh_transaction(db.session)
    if session is not None:
        refresh_transaction(session)


def structure_for_insert(context) -> int:
    """The ``structure_id`` default of a new record: the current structure; outside any (CLI, tests) the
    first structure (the embedded instance has only one)."""
    structure_id = current_structure_id()
    if structure_id is not None:
        return structure_id
    first = getattr(context, "_intake_first_structure", None)  # once per statement, however many rows
    if first is None:
        first = context.connection.execute(sa.text("SELECT min(id) FROM structure")).scalar()
        if first is None:
            raise LookupError("no structure: run `flask --app intake upgrade` first")
        context._intake_first_structure = first
    return first


def install_orm_wall(scoped_base) -> None:
    """The ORM wall, on every session (once per process): each query of a ``scoped_base`` model sees only
    the current structure's rows."""
    global _scoped_base
    if _scoped_base is None:
        _scoped_base = scoped_base
        event.listen(Session, "do_orm_execute", _orm_wall)


_scoped_base = None


def _orm_wall(state) -> None:
    if state.is_column_load or state.is_relationship_load:
        return  # the row they belong to went through the wall already
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(ALL_STRUCTURES_OPTION):
        return
    scope = current_scope()
    if scope.everything:
        return
    state.statement = state.statement.options(_wall_option(scope.structure_id or 0))  # 0: NOTHING, no row


@lru_cache(maxsize=1024)
def _wall_option(structure_id: int):
    """The criterion for one structure, made once: analysing its lambda cost more than the query it guards."""
    return with_loader_criteria(_scoped_base, lambda cls: cls.structure_id == structure_id, include_aliases=True)


def install_engine_wall(engine) -> None:
    """On PostgreSQL, tell each transaction whose work it is: the row-level security policies read it."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "begin")
    def _settings(connection) -> None:
        scope = current_scope()
        connection.exec_driver_sql(
            "SELECT set_config('intake.scope', %(scope)s, true), set_config('intake.structure_id', %(id)s, true)",
            {"scope": scope.setting, "id": str(scope.structure_id or "")})


# The policy every scoped table gets on PostgreSQL (migration and test schema alike).
POLICY_CONDITION = ("current_setting('intake.scope', true) = 'all' OR "
                    "structure_id = nullif(current_setting('intake.structure_id', true), '')::integer")


def rls_statements(table: str) -> tuple[str, ...]:
    return (
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS structure_wall ON "{table}"',
        f'CREATE POLICY structure_wall ON "{table}" USING ({POLICY_CONDITION}) WITH CHECK ({POLICY_CONDITION})',
    )


def refresh_transaction(session) -> None:
    """After the scope changed mid-transaction (the user is known only after its row was read), tell the
    open PostgreSQL transaction too."""
    session = session() if callable(session) and not hasattr(session, "in_transaction") else session
    if session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        scope = current_scope()
        session.connection().exec_driver_sql(
            "SELECT set_config('intake.scope', %(scope)s, true), set_config('intake.structure_id', %(id)s, true)",
            {"scope": scope.setting, "id": str(scope.structure_id or "")})


def enable_row_level_security(connection, tables) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for statement in rls_statements(table):
            connection.exec_driver_sql(statement)
