"""Key lifecycle: expiry, revocation and last use.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from app.storage.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("revoked_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("last_used_at", UTCDateTime, nullable=True))
