"""The store's tables: every table of the database, as SQLAlchemy declares them.

The schema itself is made and changed by the migrations (:mod:`cxprio.store.migrations`);
these declarations are what the store's statements are written against, and a test
keeps the two in step.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

versions = sa.Table(
    "catalogue_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("catalogue_versions.id"), nullable=True),
    # The version this one follows, 0 for the first: unique, so history is one line.
    sa.Column("follows", sa.Integer, nullable=False, unique=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("storage", sa.String(8), nullable=False),  # "full" or "patch"
    sa.Column("body", sa.LargeBinary, nullable=False),  # zlib of the text, or of a JSON patch
    sa.Column("size", sa.Integer, nullable=False),  # characters of the full text
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("source", sa.Text, nullable=True),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rationale", sa.Text, nullable=False),
)

changes = sa.Table(
    "catalogue_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("catalogue_versions.id"), nullable=False, index=True),
    sa.Column("experience", sa.Text, nullable=True),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("old", sa.Text, nullable=True),
    sa.Column("new", sa.Text, nullable=True),
    sa.Column("note", sa.Text, nullable=True),  # where the value came from (migration 0005)
)

parsed = sa.Table(
    "catalogue_parsed",
    metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("catalogue_versions.id"), primary_key=True),
    sa.Column("format", sa.String(40), primary_key=True),  # cxprio.store.parsed.FORMAT
    sa.Column("catalogue", sa.LargeBinary, nullable=False),  # zlib of the model's JSON
    sa.Column("warnings", sa.LargeBinary, nullable=False),  # zlib of the warnings, located, as JSON
)
"""Each recent version's validated catalogue (:mod:`cxprio.store.parsed`), so a version's
YAML is parsed once (migration 0007)."""


snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("quarter", sa.String(7), nullable=False),
    # 1 for a quarter's first snapshot, one more for each that supersedes it: unique with
    # the quarter, so two snapshots of one quarter taken at once cannot both be first.
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("catalogue_versions.id"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),  # zlib of the frozen figures, as JSON
    sa.UniqueConstraint("quarter", "generation"),
)


rounds = sa.Table(
    "rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(12), nullable=False, unique=True),  # the join code
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("catalogue_versions.id"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("experiences", sa.Text, nullable=False),  # JSON: the ids scored, in order
    sa.Column("criteria", sa.Text, nullable=False),  # JSON: {criterion: "judgement" | "number" | "tier"}
    sa.Column("weights_vote", sa.Boolean, nullable=False),
    sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),  # scoring stops then
    sa.Column("revealed", sa.Text, nullable=False),  # JSON: the experiences revealed, or ["*"]
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_by", sa.Text, nullable=True),
    sa.Column("accepted", sa.Text, nullable=True),  # JSON: the values accepted at closing
    sa.Column("result_version_id", sa.Integer, nullable=True),  # the version they made
    sa.Column("max_participants", sa.Integer, nullable=True),  # NULL: the default (migration 0006)
)

round_participants = sa.Table(
    "round_participants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), nullable=False),
    # "name:<the name, folded>" or "user:<e-mail>": one participant per identity and round.
    sa.Column("identity", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("token", sa.String(64), nullable=False, unique=True),  # their private link
    sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("round_id", "identity"),
)

round_scores = sa.Table(
    "round_scores",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), nullable=False),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("round_participants.id"), nullable=False),
    sa.Column("experience", sa.Text, nullable=False),  # "" for a weight
    sa.Column("criterion", sa.String(32), nullable=False),  # a measure, "ambition", "weight:<measure>"
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("tier", sa.String(16), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # One score per participant, experience and criterion: a new value replaces the old.
    sa.UniqueConstraint("round_id", "participant_id", "experience", "criterion"),
)
