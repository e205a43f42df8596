"""Alembic environment: migrates the connection or URL that :mod:`api.migrate` hands over."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from api.db import make_engine
from api.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(kind: str, item: Any, _autogen_context: AutogenContext) -> str | Literal[False]:
    """Write the project's column types in terms of plain SQLAlchemy, so revisions import nothing else."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_on(connection: Connection) -> None:
    """Run the pending migrations on ``connection`` in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate the given connection, or a fresh one to the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as fresh:
            run_on(fresh)
    finally:
        engine.dispose()


run_migrations_online()
