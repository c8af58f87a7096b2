"""Bulk import of partners, contact persons, collection points and territories from a CSV file: French
headers, ``;`` or ``,``, UTF-8 with or without a BOM. The whole file is read and checked first; nothing is
written unless every row is valid, and then all of it in one transaction.

Cells are stored as the text they are: one that looks like a formula (``=…``, ``+…``) is kept as text, never
evaluated (exports neutralise it again), and refused where a number is expected."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...inputs import has_control_characters
from ...models import CollectionPoint, ContactPerson, Organisation, Territory
from ...models.organisation import ORGANISATION_KINDS, ZONE_TYPES
from ...models.partnership import PIPELINE_STATUSES
from ...vocabulary import VOCABULARY


@dataclass(frozen=True)
class Column:
    header: str  # as written in the file (French), compared without accents, case or spaces
    attribute: str
    parse: str = "text"  # text, int, decimal, kind, zone, status, yes_no, partner, territory, email
    required: bool = False
    max_length: int = 200


IMPORTS = {
    "territories": (Territory, [
        Column("nom", "name", required=True), Column("code_insee", "insee_code", max_length=10),
        Column("population", "population", "int", required=True), Column("type_zone", "zone_type", "zone", True)]),
    "partners": (Organisation, [
        Column("nom", "name", required=True), Column("type", "kind", "kind", True),
        Column("siren", "siren", "siren"), Column("adresse", "address", max_length=300),
        Column("code_postal", "postcode", max_length=10), Column("ville", "city", max_length=120),
        Column("latitude", "latitude", "latitude"), Column("longitude", "longitude", "longitude"),
        Column("email", "email", "email", max_length=254), Column("telephone", "phone", max_length=30),
        Column("statut", "pipeline_status", "status"), Column("nommer_publiquement", "public_name_consent", "yes_no")]),
    "contacts": (ContactPerson, [
        Column("partenaire", "organisation_id", "partner", True), Column("nom", "name", required=True, max_length=120),
        Column("fonction", "role", max_length=120), Column("telephone", "phone", max_length=30),
        Column("email", "email", "email", max_length=254), Column("notes", "notes", max_length=4000)]),
    "points": (CollectionPoint, [
        Column("nom", "name", required=True), Column("partenaire", "organisation_id", "partner"),
        Column("territoire", "territory_id", "territory"), Column("adresse", "address", max_length=300),
        Column("latitude", "latitude", "latitude"), Column("longitude", "longitude", "longitude")]),
}
IMPORT_KINDS = tuple(IMPORTS)
# Names are unique per structure for these; contact persons may share a name.
UNIQUE_NAMES = ("territories", "partners", "points")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PREVIEW_ROWS = 20
YES = {"oui", "o", "yes", "y", "1", "vrai", "true", "x"}
NO = {"non", "n", "no", "0", "faux", "false", ""}


@dataclass(frozen=True)
class RowError:
    line: int  # in the file, the header being line 1
    field: str | None  # the column's header, None for the whole row
    message: str

    def __str__(self) -> str:
        if self.field:
            return str(_l("Line %(line)s, field “%(field)s”: %(message)s", line=self.line, field=self.field,
                          message=self.message))
        return str(_l("Line %(line)s: %(message)s", line=self.line, message=self.message))


@dataclass
class ImportCheck:
    kind: str
    headers: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # parsed values, by attribute
    errors: list[RowError] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)  # the first rows as written, for the preview

    @property
    def valid(self) -> bool:
        return not self.errors and bool(self.rows)


def _key(text: str) -> str:
    """A header or a vocabulary name compared loosely: no accents, no case, spaces and dashes as ``_``."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s\-’']+", "_", text)


def decode_csv(data: bytes) -> str | None:
    """The file's text (a BOM dropped), or None when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _vocabulary_codes(kind: str, codes) -> dict[str, str]:
    """Codes by their loose key: the code itself, and its French and English names."""
    from flask_babel import force_locale

    found = {}
    for code in codes:
        found[_key(code)] = code
        for locale in ("fr", "en"):
            with force_locale(locale):
                found[_key(str(VOCABULARY[kind][code]))] = code
    return found


def check_import(session: Session, kind: str, text: str, *, max_rows: int) -> ImportCheck:
    """Read and check every row; nothing is written."""
    model, columns = IMPORTS[kind]
    check = ImportCheck(kind)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        check.errors.append(RowError(1, None, str(_l("The file is empty."))))
        return check
    keys = [_key(cell) for cell in header]
    check.headers = [cell.strip() for cell in header]
    by_header = {column.header: column for column in columns}
    for position, key in enumerate(keys):
        if key and key not in by_header:
            check.errors.append(RowError(1, check.headers[position], str(_l("Unknown column."))))
    for column in columns:
        if column.required and column.header not in keys:
            check.errors.append(RowError(1, column.header, str(_l("This column is required."))))
    if check.errors:
        return check
    lookups = _lookups(session, kind)
    seen_names: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(check.rows) >= max_rows:
            check.errors.append(RowError(line, None, str(_l("Too many rows: %(count)s at most.", count=max_rows))))
            break
        if len(cells) > len(keys):
            check.errors.append(RowError(line, None, str(_l("More cells than columns."))))
            continue
        values = {}
        for position, key in enumerate(keys):
            column = by_header.get(key)
            if column is None:
                continue
            raw = cells[position].strip() if position < len(cells) else ""
            try:
                values[column.attribute] = _parse(column, raw, lookups)
            except ValueError as error:
                check.errors.append(RowError(line, column.header, str(error)))
        if kind in UNIQUE_NAMES and values.get("name"):
            name = values["name"].casefold()
            if name in lookups["existing"]:
                check.errors.append(RowError(line, "nom", str(_l("A record of this name already exists."))))
            elif name in seen_names:
                check.errors.append(RowError(line, "nom", str(_l("Same name as line %(line)s.", line=seen_names[name]))))
            seen_names.setdefault(name, line)
        check.rows.append(values)
        if len(check.sample) < PREVIEW_ROWS:
            check.sample.append([cell.strip() for cell in cells] + [""] * (len(keys) - len(cells)))
    if not check.rows and not check.errors:
        check.errors.append(RowError(2, None, str(_l("The file has no rows."))))
    return check


def _lookups(session: Session, kind: str) -> dict:
    model = IMPORTS[kind][0]
    return {
        "existing": {name.casefold() for name in session.scalars(sa.select(model.name))} if kind in UNIQUE_NAMES else set(),
        "partners": {name.casefold(): id for id, name in session.execute(sa.select(Organisation.id, Organisation.name))}
        if kind in ("contacts", "points") else {},
        "territories": {name.casefold(): id for id, name in session.execute(sa.select(Territory.id, Territory.name))}
        if kind == "points" else {},
        "kind": _vocabulary_codes("organisation_kind", ORGANISATION_KINDS) if kind == "partners" else {},
        "zone": _vocabulary_codes("zone_type", ZONE_TYPES) if kind == "territories" else {},
        "status": _vocabulary_codes("pipeline_status", PIPELINE_STATUSES) if kind == "partners" else {},
    }


def _number(raw: str) -> Decimal:
    try:
        value = Decimal(raw.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise ValueError(str(_l("Not a number."))) from None
    if not value.is_finite():
        raise ValueError(str(_l("Not a number.")))
    return value


def _parse(column: Column, raw: str, lookups: dict):
    if has_control_characters(raw):
        raise ValueError(str(_l("Invisible control characters.")))
    if not raw:
        if column.required:
            raise ValueError(str(_l("Required.")))
        return False if column.parse == "yes_no" else None
    if column.parse in ("text", "email", "siren"):
        if len(raw) > column.max_length:
            raise ValueError(str(_l("Too long (%(count)s characters at most).", count=column.max_length)))
        if column.parse == "email" and not EMAIL.match(raw):
            raise ValueError(str(_l("Not an e-mail address.")))
        if column.parse == "siren" and not re.fullmatch(r"\d{9}", raw.replace(" ", "")):
            raise ValueError(str(_l("Nine digits.")))
        return raw.replace(" ", "") if column.parse == "siren" else raw
    if column.parse == "int":
        value = _number(raw)
        if value != value.to_integral_value() or not 0 <= value <= 100_000_000:
            raise ValueError(str(_l("A whole number between 0 and 100,000,000.")))
        return int(value)
    if column.parse in ("latitude", "longitude"):
        value = _number(raw)
        limit = 90 if column.parse == "latitude" else 180
        if not -limit <= value <= limit:
            raise ValueError(str(_l("Between -%(limit)s and %(limit)s.", limit=limit)))
        return value.quantize(Decimal("0.000001"))
    if column.parse in ("kind", "zone", "status"):
        code = lookups[column.parse].get(_key(raw))
        if code is None:
            raise ValueError(str(_l("Unknown value “%(value)s”.", value=raw)))
        return code
    if column.parse == "yes_no":
        if raw.lower() in YES:
            return True
        if raw.lower() in NO:
            return False
        raise ValueError(str(_l("Answer oui or non.")))
    table = "partners" if column.parse == "partner" else "territories"
    found = lookups[table].get(raw.casefold())
    if found is None:
        raise ValueError(str(_l("No record of this name: “%(value)s”.", value=raw)))
    return found


def write_import(session: Session, check: ImportCheck) -> int:
    """Write every row of a valid check in one transaction; the number of records made."""
    if not check.valid:
        raise ValueError("only a valid file is written")
    model = IMPORTS[check.kind][0]
    defaults = {"pipeline_status": "identified"} if check.kind == "partners" else {}
    records = [model(**{**defaults, **{k: v for k, v in row.items() if v is not None}}) for row in check.rows]
    try:
        session.add_all(records)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(records)
