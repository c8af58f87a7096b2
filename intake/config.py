"""Settings with safe defaults.

Every key can be overridden from the environment with an ``INTAKE_`` prefix
(``INTAKE_SECRET_KEY``, ``INTAKE_LOGIN_RATE_LIMIT``...); values are parsed as
JSON when they can be, so ``INTAKE_PHOTO_MAX_PIXELS=1600`` is an int.
``DATABASE_URL`` is read as is, as hosting platforms set it.
"""

from __future__ import annotations

import os


def database_url_from_env(instance_path: str) -> str:
    """The SQLAlchemy URL: DATABASE_URL (PostgreSQL) or a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "intake.sqlite3")
    # Platforms hand out postgres:// URLs; we always talk to PostgreSQL through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Defaults:
    """Values used when neither the environment nor the caller says otherwise."""

    # "development" relaxes the Secure cookie flag so the app works over plain
    # http on a laptop or a phone on the same Wi-Fi; anything else is production.
    ENV = "production"
    SECRET_KEY = None  # generated once into the instance folder when not given

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 15000

    SESSION_COOKIE_SECURE = None  # None: secure unless ENV is "development"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a volunteer may keep the intake page open all day

    # Photos: the upload limit covers a full-size phone picture; the stored
    # copy is re-encoded to at most PHOTO_MAX_PIXELS on its longest side.
    MAX_CONTENT_LENGTH = 15 * 1024 * 1024
    PHOTO_MAX_PIXELS = 1600
    PHOTO_JPEG_QUALITY = 82

    # Staff sessions end this long after signing in (a working day); signing out ends them everywhere.
    STAFF_SESSION_HOURS = 12
    API_TOKEN_DAYS = 90  # a new API token's lifetime unless its owner chooses another (a year at most)

    PASSWORD_HASH_METHOD = "scrypt"
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    RATELIMIT_STORAGE_URI = "memory://"  # set INTAKE_RATELIMIT_STORAGE_URI=redis://... with several workers
    RATELIMIT_HEADERS_ENABLED = True
    # A phone asks for a block of 10 codes when it has fewer than 5 left: a few blocks an hour at most.
    CODE_BLOCK_RATE_LIMIT = "20 per hour"
    # A landlord account's portal and API together (each look is logged), and the public passport per
    # address (anonymous visitors only: staff scan labels all day).
    LANDLORD_RATE_LIMIT = "300 per minute"
    PASSPORT_RATE_LIMIT = "60 per minute"
    # The public results page runs the dashboard's aggregates: anonymous visitors, per address.
    RESULTS_RATE_LIMIT = "20 per minute"
    HSTS_MAX_AGE = 365 * 24 * 3600  # Strict-Transport-Security, sent only over https

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    # Trust X-Forwarded-* from this many proxies (0: the app is reached directly).
    PROXY_COUNT = 0

    # Labels: the QR codes hold PUBLIC_BASE_URL + /i/<code> (default: the address the app is reached at).
    PUBLIC_BASE_URL = None
    # Until a coordinator fills in "Notre structure" (services/structure.py), which then replaces both:
    LABEL_ORGANISATION = None  # a name printed on every label, e.g. "Ressourcerie de la Roseraie"
    LABEL_FONT = None  # a TrueType file; default: DejaVu Sans Bold if installed, else Pillow's own
    LABELS_DIR = None  # default: labels/ beside the app
    STATIC_FOLDER = None  # default: static/ beside the app
    VENDOR_FOLDER = None  # browser libraries (npm ci --omit=dev); default: node_modules/ beside the app
    PRINTER_TIMEOUT = 5.0  # seconds before an unreachable printer is reported
    PRINTER_PORTS = [9100]  # the only ports a printer address may name
    # This machine and link-local addresses (cloud metadata) are never printers, unless a print server
    # runs here: then allow them, with its port in PRINTER_PORTS.
    PRINTER_ALLOW_LOCAL = False
    MAX_LABELS_PER_JOB = 1000

    # Who logged an item may correct it this long after; coordinators at any time, with a reason.
    AMENDMENT_WINDOW_MINUTES = 15
    # "Same again" offers to undo the item it made for this long (the server allows a few more seconds
    # for the request to arrive).
    UNDO_SECONDS = 10

    # Tenants' names, contacts and signatures are deleted this many days after the handover.
    TENANT_IDENTITY_RETENTION_DAYS = 365
    # People (insertion, members): the names kept apart are deleted this many days after a contract ends (or
    # the person leaves) and after a membership lapses. A membership runs this many days from its payment.
    PERSON_IDENTITY_RETENTION_DAYS = 365
    MEMBER_IDENTITY_RETENTION_DAYS = 365
    MEMBERSHIP_DAYS = 365
    # Shown on the public item passport and the receipts: who to ask about an item (until "Notre structure").
    ORGANISATION_CONTACT = None  # e.g. "Ressourcerie de la Roseraie · 02 41 00 00 00 · contact@example.org"

    # Outgoing mail (after-sales answers to whoever reported a fault): off until MAIL_SERVER is given, as
    # "host:port" ("memory://" keeps the messages in app.extensions["mail_outbox"], for tests).
    MAIL_SERVER = None
    MAIL_FROM = None
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_STARTTLS = True

    # Indicators. The seed's partnerships aimed at 7 then 14 kg collected per inhabitant per year.
    KG_PER_INHABITANT_TARGET = 14
    # "Diversifier le partenariat": warn when one partner brings more than this share of the kg collected,
    # or when the Herfindahl–Hirschman index of the partners' shares (in %, 0–10 000) is above this.
    DEPENDENCY_SHARE_WARNING = 0.5
    DEPENDENCY_HHI_WARNING = 2500
    # A partner's effect: months before its start compared with as many months from its start on.
    PARTNER_EFFECT_MONTHS = 6
    # Partnerships: the coordinator's home warns this many days before a convention ends; a signed
    # convention's PDF may weigh this much at most.
    CONVENTION_REMINDER_DAYS = 60
    CONVENTION_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    # The map of partners: the tile server ({s}, {z}, {x}, {y} as Leaflet reads them) and the attribution its
    # licence requires; empty: no tiles, the list alone.
    MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    MAP_TILE_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    # Finding coordinates from an address (the browser asks it directly; the French national address API
    # answers GeoJSON for ?q=…&limit=1). Empty: no geocoder, coordinates by tapping the map or the phone's location.
    GEOCODER_URL = "https://api-adresse.data.gouv.fr/search/"
    # A CSV import is read whole before anything is written: this many rows at most.
    IMPORT_MAX_ROWS = 20000
    # The waste register is kept this long (code de l'environnement R.541-43): younger lines cannot be deleted.
    WASTE_REGISTER_RETENTION_YEARS = 3
    # The ORDS export: who publishes the data (default: the structure's name) and the country (ISO 3166-1 alpha-3).
    ORDS_DATA_PROVIDER = None
    ORDS_COUNTRY = "FRA"

    # Stylesheets, scripts and JSON go out compressed. Not HTML: pages carry CSRF tokens next to
    # what users typed, which compression would expose to a length-guessing attack (BREACH).
    COMPRESS_MIMETYPES = ["text/css", "text/javascript", "application/javascript", "application/json",
                          "application/manifest+json", "image/svg+xml"]
    COMPRESS_ALGORITHM = ["br", "gzip"]

    API_TITLE = "intake"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
