"""Alembic environment: runs on the engine the kiosk hands over (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from kiosk.storage.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
