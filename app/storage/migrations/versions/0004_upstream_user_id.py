"""Bigcapital's id for each user, for its id-subject tokens.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("upstream_id", sa.BigInteger, nullable=True))
    op.create_index("ix_users_upstream_id", "users", ["upstream_id"], unique=True)
