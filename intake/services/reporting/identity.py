"""Who the reports are from: the structure's record (name, SIRET, address), for the partner report, the
public page, the waste register's shipper and the ORDS data provider."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from ..structure import Identity, identity
from .register import Shipper


def report_identity(session: Session) -> Identity:
    """The structure's identity; an empty one (no name) before anyone set it."""
    return identity(session, current_app.config) or Identity(name=None, contact=None)


def shipper(session: Session) -> Shipper:
    """The register's shipper: the structure running the instance."""
    who = report_identity(session)
    return Shipper(who.name, who.siret, who.address)


def data_provider(session: Session) -> str:
    """ORDS ``data_provider``: the setting, else the structure's name."""
    return current_app.config["ORDS_DATA_PROVIDER"] or report_identity(session).name or "intake"
