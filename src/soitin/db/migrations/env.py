"""Alembic environment: run with a connection handed over by `soitin.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from soitin.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Migrate over the connection given in the config attributes."""
    connection: Connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
