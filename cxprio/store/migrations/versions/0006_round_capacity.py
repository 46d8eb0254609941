"""A round takes at most so many participants (NULL: the default, 100).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rounds") as table:
        table.add_column(sa.Column("max_participants", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as table:
        table.drop_column("max_participants")
