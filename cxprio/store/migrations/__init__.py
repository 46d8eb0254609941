"""The store's schema migrations (Alembic), applied with :func:`upgrade`.

Each change to the schema is a new file under ``versions/`` (``alembic revision`` with
``script_location`` set to this folder); :func:`upgrade` runs those not yet applied. It
runs when a :class:`cxprio.store.versions.Store` opens and from ``python -m cxprio db upgrade``,
so no one has to run a migration by hand. Two processes starting at once are safe: on
PostgreSQL the upgrade holds an advisory lock, on SQLite a write transaction.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

FOLDER = Path(__file__).resolve().parent
_LOCK_KEY = 0x6378_7072_696F  # "cxprio": one advisory lock for migrations


def config() -> Config:
    """Alembic's configuration, pointing at this folder (no alembic.ini needed)."""
    settings = Config()
    settings.set_main_option("script_location", str(FOLDER))
    return settings


def head() -> str | None:
    """The newest migration's revision."""
    return ScriptDirectory.from_config(config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty one), read without a lock."""
    with engine.connect() as connection, connection.begin():
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str | None:
    """Apply every migration not yet applied; returns the revision now in place. A
    database already at the newest revision is only read: a command that only reads
    never waits behind a writer for a lock it does not need."""
    newest = head()
    if current(engine) == newest:
        return newest
    settings = config()
    with engine.connect() as connection:
        connection = connection.execution_options(cxprio_write=True)
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
            settings.attributes["connection"] = connection
            command.upgrade(settings, "head")
            revision: str | None = MigrationContext.configure(connection).get_current_revision()
    return revision
