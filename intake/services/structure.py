"""The structure running the instance: its record, and the one rule for who the public is told it is.

Its name, SIRET, address, contact and logo appear on the public passport,
the receipts, the exports and, if the coordinator chooses, the labels. Until a
coordinator fills it in, the INTAKE_LABEL_ORGANISATION and
INTAKE_ORGANISATION_CONTACT settings stand in for it (``identity``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, undefer

from ..models import Structure
from ..scoping import current_structure_id
from .photos import PhotoRejected, shrunk_image

# Longest side of the stored logo: enough for a receipt's header or a passport, small to send.
LOGO_MAX_SIDE = 400
# The establishments of La Poste share one SIREN and do not follow Luhn: their digits add up to a multiple of 5.
LA_POSTE_SIREN = "356000000"


class StructureRejected(ValueError):
    """The record is not valid as given: ``errors`` maps field names to messages."""

    def __init__(self, errors: dict):
        super().__init__(" ".join(str(message) for message in errors.values()))
        self.errors = errors


def luhn_valid(digits: str) -> bool:
    """The Luhn check that SIREN and SIRET numbers carry (their last digit)."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def normalized_siret(text: str | None) -> str | None:
    """14 digits (spaces ignored), checked; None when empty. Raises ValueError for a wrong number."""
    digits = re.sub(r"[\s.\u202f\xa0]", "", text or "")
    if not digits:
        return None
    if not re.fullmatch(r"\d{14}", digits):
        raise ValueError(digits)
    if digits.startswith(LA_POSTE_SIREN):
        valid = sum(map(int, digits)) % 5 == 0
    else:
        valid = luhn_valid(digits) and luhn_valid(digits[:9])  # the SIRET's key, and its SIREN's
    if not valid:
        raise ValueError(digits)
    return digits


@dataclass(frozen=True)
class Identity:
    """Who the structure is, as printed on what leaves it."""

    name: str | None
    contact: str | None  # "02 41 00 00 00 · contact@example.org"
    siret: str | None = None
    address: str | None = None  # one line: "12 rue X, 49000 Angers"
    name_on_labels: bool = False
    logo_version: str | None = None  # changes with the logo: its URL's cache key; None without a logo

    @property
    def label_line(self) -> str | None:
        """What labels carry: the name, if the structure chose to print it."""
        return self.name if self.name_on_labels else None


def current_structure(session: Session) -> Structure | None:
    """The structure of the work at hand (outside one: the first, the embedded instance's only one)."""
    structure_id = current_structure_id()
    if structure_id is not None:
        return session.get(Structure, structure_id)
    return session.scalar(sa.select(Structure).order_by(Structure.id).limit(1))


def public_structure_id(session: Session, asked: int | None) -> int | None:
    """The active structure a public page asks for by id, else the first one."""
    query = sa.select(Structure.id).where(Structure.active).order_by(Structure.id).limit(1)
    found = session.scalar(query.where(Structure.id == asked)) if asked else None
    return found or session.scalar(query)


def identity(session: Session, settings) -> Identity | None:
    """The structure as the public sees it: its record, else the settings (``LABEL_ORGANISATION``,
    ``ORGANISATION_CONTACT``) of an instance set up before the record existed, else None."""
    record = current_structure(session)
    if record is None or not record.name:  # not filled in yet
        name, contact = settings.get("LABEL_ORGANISATION"), settings.get("ORGANISATION_CONTACT")
        return Identity(name=name, contact=contact, name_on_labels=bool(name)) if name or contact else None
    town = " ".join(part for part in (record.postcode, record.city) if part)
    return Identity(
        name=record.name,
        contact=" · ".join(part for part in (record.phone, record.email) if part) or None,
        siret=record.siret,
        address=", ".join(part for part in (record.address, town) if part) or None,
        name_on_labels=record.name_on_labels,
        logo_version=logo_version(record),
    )


def logo_version(record: Structure) -> str | None:
    """Changes whenever the record (so its logo) does: the key of the logo's URL in browsers' caches."""
    return f"{record.id}-{record.updated_at:%Y%m%d%H%M%S%f}" if record.logo_width else None


def logo_png(session: Session, version: str = "") -> bytes | None:
    """The logo of the structure a version names (``logo_version``), else the current one's."""
    structure_id, dash, _stamp = version.partition("-")
    if dash and structure_id.isdigit() and len(structure_id) < 10:
        return session.scalar(sa.select(Structure.logo_png).where(Structure.id == int(structure_id)))
    record = current_structure(session)
    return session.scalar(sa.select(Structure.logo_png).where(Structure.id == record.id)) if record else None


def encode_logo(upload: bytes) -> tuple[bytes, int, int]:
    """A logo as a small PNG with its transparency, re-encoded so nothing but pixels is kept (no
    metadata, no script an SVG could hold: only JPEG, PNG and WebP are read). Raises PhotoRejected."""
    image = shrunk_image(upload, max_pixels=LOGO_MAX_SIDE)
    image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    image.info = {}
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), image.width, image.height


def save_structure(session: Session, *, name: str, siret: str | None = None, address: str | None = None,
                   postcode: str | None = None, city: str | None = None, phone: str | None = None,
                   email: str | None = None, name_on_labels: bool = False, logo: bytes | None = None,
                   remove_logo: bool = False) -> Structure:
    """Create or change the structure's record; a new logo replaces the old one. Commits."""
    errors: dict = {}
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = _l("Give the structure's name (200 characters at most).")
    try:
        siret = normalized_siret(siret)
    except ValueError:
        errors["siret"] = _l("A SIRET is 14 digits whose check digit is right: copy it from the Sirene notice.")
    encoded = None
    if logo:
        try:
            encoded = encode_logo(logo)
        except PhotoRejected as rejected:
            errors["logo"] = rejected.message
    if errors:
        raise StructureRejected(errors)
    query = sa.select(Structure).options(undefer(Structure.logo_png)).order_by(Structure.id).limit(1)
    if current_structure_id() is not None:
        query = query.where(Structure.id == current_structure_id())
    record = session.scalar(query) or Structure()
    record.name, record.siret = name, siret
    record.address, record.postcode, record.city = (_text(address), _text(postcode), _text(city))
    record.phone, record.email, record.name_on_labels = _text(phone), _text(email), bool(name_on_labels)
    if encoded:
        record.logo_png, record.logo_width, record.logo_height = encoded
    elif remove_logo:
        record.logo_png = record.logo_width = record.logo_height = None
    session.add(record)
    session.commit()
    return record


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None
