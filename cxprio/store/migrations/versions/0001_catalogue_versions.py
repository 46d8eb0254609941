"""The catalogue's versions and their field-level changes.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("follows", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage", sa.String(8), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_versions"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["catalogue_versions.id"], name="fk_catalogue_versions_parent_id"
        ),
        sa.UniqueConstraint("follows", name="uq_catalogue_versions_follows"),
    )
    op.create_table(
        "catalogue_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("experience", sa.Text, nullable=True),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("old", sa.Text, nullable=True),
        sa.Column("new", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_changes"),
        sa.ForeignKeyConstraint(
            ["version_id"], ["catalogue_versions.id"], name="fk_catalogue_changes_version_id"
        ),
    )
    op.create_index("ix_catalogue_changes_version_id", "catalogue_changes", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_catalogue_changes_version_id", table_name="catalogue_changes")
    op.drop_table("catalogue_changes")
    op.drop_table("catalogue_versions")
