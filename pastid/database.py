"""Database glue: the shared metadata, an aware UTC column type, and SQLite's pragmas."""

from datetime import UTC

import sqlalchemy as sa
from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(sa.types.TypeDecorator):
    """An instant stored in UTC and read back as an aware UTC datetime.

    SQLite has no time zone type: SQLAlchemy's DateTime(timezone=True) silently drops
    the offset there, so 09:00+02:00 and 07:00Z would be stored as different strings.
    Normalising to UTC on write makes equal instants equal on every backend.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_sqlite(engine):
    """Give SQLite the settings a multi-process web server needs.

    pysqlite opens transactions lazily and with plain BEGIN. A read transaction that
    later writes then fails at once with 'database is locked' when another process wrote
    meanwhile, because SQLite cannot wait on a lock it would have to upgrade. So writes
    (any request that is not GET or HEAD, and all work outside a request) start with
    BEGIN IMMEDIATE and wait for the lock up front, while GET requests read concurrently.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The timeout comes first: switching to WAL needs a lock another process may hold.
        cursor.execute("PRAGMA busy_timeout=30000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        reading = has_request_context() and request.method in ("GET", "HEAD")
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def render_migration_item(type_, obj, autogen_context):
    """Write UTCDateTime columns into migrations as the plain type they store."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
