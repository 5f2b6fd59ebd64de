"""64-bit ids: every id and foreign-key column, and the id sequences.

PostgreSQL's ``serial`` made 32-bit columns and sequences; SQLite's INTEGER
is 64-bit already, so there is nothing to change there. Values and the
sequences' positions are kept: ids go on counting from where they were.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "organizations": ["id"],
    "users": ["id"],
    "memberships": ["user_id", "organization_id"],
    "api_keys": ["id", "organization_id", "user_id"],
}
SEQUENCES = ["organizations_id_seq", "users_id_seq", "api_keys_id_seq"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        changes = ", ".join(f"ALTER COLUMN {column} TYPE bigint" for column in columns)
        op.execute(f"ALTER TABLE {table} {changes}")
    for sequence in SEQUENCES:
        op.execute(f"ALTER SEQUENCE {sequence} AS bigint MAXVALUE 9223372036854775807")
