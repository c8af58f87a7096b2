"""A new structure on the instance, in one step: its record, its default categories and checklists, and its
first coordinator (a new account, or a place for an existing one), all or nothing.

A network's coordinator does it from a form (``/network/structures/new``), the host from the command line
(``flask --app intake structures create``); both come here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..models import Membership, Network, NetworkMember, Structure, User
from ..scoping import scoped_to
from .accounts import AccountError, check_password_strength, normalize_email
from .catalogue import install_default_categories
from .structure import StructureRejected


@dataclass(frozen=True)
class Onboarded:
    structure_id: int
    structure_name: str
    coordinator_email: str
    new_account: bool  # False: the person had an account already, and keeps its password
    password: str | None  # the first password made here, to show once; None when given or not needed
    categories: int


def first_password() -> str:
    """A password to hand over once (the coordinator changes it on their account page)."""
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def create_structure(session: Session, *, name: str, coordinator_email: str, coordinator_name: str = "",
                     password: str | None = None, network: Network | None = None) -> Onboarded:
    """Make a structure with the default categories and checklists (its own: it adapts them without touching
    any other structure's) and its first coordinator: a new account with ``password`` (one is made when
    none is given), or, when an account has that e-mail, a coordinator's place for it. With ``network``,
    the structure joins it. Everything is committed together, or nothing (StructureRejected, its ``errors`` by form field)."""
    name = (name or "").strip()
    email = normalize_email(coordinator_email)
    errors = {}
    if not name:
        errors["name"] = _l("Give the structure's name.")
    elif session.scalar(sa.select(Structure.id).where(sa.func.lower(Structure.name) == name.lower())):
        errors["name"] = _l("A structure of that name exists already.")
    if "@" not in email:
        errors["coordinator_email"] = _l("Not an e-mail address.")
    account = session.scalar(sa.select(User).where(User.email == email)) if not errors else None
    generated = None
    new_account = account is None
    if new_account and not errors:
        if not password:
            password = generated = first_password()
        try:
            check_password_strength(password)
        except AccountError as refused:
            errors["password"] = str(refused)
    if errors:
        raise StructureRejected(errors)
    try:
        structure = Structure(name=name, name_on_labels=False)
        session.add(structure)
        session.flush()
        with scoped_to(structure.id, session):  # PostgreSQL's wall checks the new rows in the new structure
            made = install_default_categories(session, commit=False)
            if new_account:
                account = User(email=email, name=(coordinator_name or "").strip() or email.split("@")[0])
                account.set_password(password)
                session.add(account)
            account.memberships.append(Membership(structure_id=structure.id, role="coordinator"))
            if network is not None:
                session.add(NetworkMember(network_id=network.id, structure_id=structure.id))
            session.flush()
        made_id, made_name = structure.id, structure.name
        session.commit()
    except Exception:
        session.rollback()
        raise
    return Onboarded(made_id, made_name, email, new_account, generated, made)


def structures(session: Session) -> list[tuple[int, str, bool, list[str]]]:
    """Every structure of the instance: (id, name, active, names of its networks), for the host's listing."""
    networks: dict = {}
    for structure_id, network_name in session.execute(
            sa.select(NetworkMember.structure_id, Network.name).join(Network).order_by(Network.name)):
        networks.setdefault(structure_id, []).append(network_name)
    return [(row.id, row.name, row.active, networks.get(row.id, []))
            for row in session.execute(sa.select(Structure.id, Structure.name, Structure.active)
                                       .order_by(Structure.id))]
