"""Each version's validated catalogue, kept beside its text so it is parsed once, ever.

Versions stored before this revision get theirs when first read; only the newest few
versions, and those a snapshot or a round names, keep theirs (see cxprio.store.parsed).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalogue_parsed",
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("catalogue", sa.LargeBinary, nullable=False),
        sa.Column("warnings", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("version_id", "format", name="pk_catalogue_parsed"),
        sa.ForeignKeyConstraint(
            ["version_id"], ["catalogue_versions.id"], name="fk_catalogue_parsed_version_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("catalogue_parsed")
