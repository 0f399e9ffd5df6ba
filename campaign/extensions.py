"""Extensions, created unbound and bound to the app in create_app (init_app style)."""
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .abuse.limits import address_key

# Named constraints so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))

# Every model subclasses `Model`: at run time Flask-SQLAlchemy's db.Model, for the type
# checker the SQLAlchemy 2 declarative base it behaves as (db.Model is built at run time,
# so mypy cannot see its type), so `Mapped[...]` columns are checked.
if TYPE_CHECKING:
    class Model(DeclarativeBase):
        pass
else:
    Model = db.Model
migrate = Migrate()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
login_manager = LoginManager()
# Limits are declared where they apply; storage follows RATELIMIT_STORAGE_URI (Redis or memory).
# in_memory_fallback keeps the site taking signatures when Redis is down. The key is a keyed
# hash of the client's address (IPv6: its /64), so no storage ever holds an address.
limiter = Limiter(key_func=address_key, in_memory_fallback_enabled=True,
                  swallow_errors=True)
# gzip/brotli for pages, CSS and JSON (settings COMPRESS_*); streamed CSV exports too.
compress = Compress()
