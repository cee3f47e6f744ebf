"""Alembic environment: the URL comes from the app's settings (or the caller), the metadata
from the SQLModel models."""

from alembic import context
from sqlmodel import SQLModel

import trajectories.schema  # noqa: F401  (fills SQLModel.metadata)
from trajectories.core.config import load_settings
from trajectories.core.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # APScheduler's job store manages its own table.
    return not (type_ == "table" and name == "apscheduler_jobs")


def run_migrations_online() -> None:
    url = config.attributes.get("database_url") or load_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
