"""Scoped keys: a key's permissions, and the key that minted it.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("permissions", sa.Text(), nullable=True))
    if op.get_context().dialect.name == "sqlite":
        # SQLite adds a column with a reference, never a constraint to a table
        # (Alembic would have to copy the table, and AUTOINCREMENT with it).
        op.execute("ALTER TABLE api_keys ADD COLUMN parent_id INTEGER REFERENCES api_keys (id)")
    else:
        op.add_column(
            "api_keys",
            sa.Column("parent_id", sa.BigInteger(), sa.ForeignKey("api_keys.id"), nullable=True),
        )
    op.create_index("ix_api_keys_parent_id", "api_keys", ["parent_id"])
