"""Flask extensions, created unbound; ``init_app`` binds them all to the app."""

import os

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints: migrations on SQLite rebuild tables and must find them by name.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


# Objects stay readable after commit: a view that saves then answers must not
# reload everything it just wrote (on SQLite, that would also take the write lock again).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
api = Api()
compress = Compress()


def init_app(app) -> None:
    """Bind every extension. The API's document, the sign-in rules and the language choice are set by
    their own modules (api, web.access, web.requests)."""
    db.init_app(app)
    # Batch mode: SQLite can only change a table by rebuilding it.
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
