"""Organisers list the websites (origins) allowed to frame their embedded catalogue.

Existing organisers get an empty list: the embed is framable by nobody until a coordinator
lists an origin.

Revision ID: 0006_api
Revises: 0005_feedback
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_api"
down_revision = "0005_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would rebuild the table, which tables pointing at
    # organisers refuse while foreign keys are on.
    op.add_column("organiser", sa.Column("embed_origins", sa.JSON(), nullable=False,
                                         server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("organiser") as batch_op:
        batch_op.drop_column("embed_origins")
