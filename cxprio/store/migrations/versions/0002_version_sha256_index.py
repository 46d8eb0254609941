"""Find versions by their SHA-256: the board asks whether a file's content is a version
the store already holds.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_catalogue_versions_sha256", "catalogue_versions", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_catalogue_versions_sha256", table_name="catalogue_versions")
