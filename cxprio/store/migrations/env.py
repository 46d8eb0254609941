"""Alembic's entry point: runs the migrations on the connection :func:`upgrade` passes in."""

from __future__ import annotations

from alembic import context

from cxprio.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through cxprio.store.migrations.upgrade
    raise RuntimeError("run migrations with `python -m cxprio db upgrade`")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
context.run_migrations()
