"""Workshop rounds: rounds, their participants and their scores.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("experiences", sa.Text, nullable=False),
        sa.Column("criteria", sa.Text, nullable=False),
        sa.Column("weights_vote", sa.Boolean, nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revealed", sa.Text, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Text, nullable=True),
        sa.Column("accepted", sa.Text, nullable=True),
        sa.Column("result_version_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rounds"),
        sa.ForeignKeyConstraint(["version_id"], ["catalogue_versions.id"], name="fk_rounds_version_id"),
        sa.UniqueConstraint("code", name="uq_rounds_code"),
    )
    op.create_table(
        "round_participants",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("round_id", sa.Integer, nullable=False),
        sa.Column("identity", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_round_participants"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_round_participants_round_id"),
        sa.UniqueConstraint("round_id", "identity", name="uq_round_participants_round_id"),
        sa.UniqueConstraint("token", name="uq_round_participants_token"),
    )
    op.create_table(
        "round_scores",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("round_id", sa.Integer, nullable=False),
        sa.Column("participant_id", sa.Integer, nullable=False),
        sa.Column("experience", sa.Text, nullable=False),
        sa.Column("criterion", sa.String(32), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("tier", sa.String(16), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_round_scores"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name="fk_round_scores_round_id"),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["round_participants.id"], name="fk_round_scores_participant_id"
        ),
        sa.UniqueConstraint(
            "round_id", "participant_id", "experience", "criterion", name="uq_round_scores_round_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("round_scores")
    op.drop_table("round_participants")
    op.drop_table("rounds")
