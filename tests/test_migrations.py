"""The migrations build exactly the schema the models describe, and can be undone."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pastid.extensions import db

# Tables that belong to a library and are created by migrations without a model.
LIBRARY_TABLES = {"apscheduler_jobs", "alembic_version"}


def _include(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name in LIBRARY_TABLES)


def schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": _include})
        return compare_metadata(context, db.metadata)


def test_models_match_migrations():
    assert schema_differences() == []


@pytest.mark.slow
def test_downgrade_to_base_and_back():
    db.session.remove()
    flask_migrate.downgrade(revision="base")
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
    assert tables == set()

    flask_migrate.upgrade()
    assert schema_differences() == []
