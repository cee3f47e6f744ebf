"""Publication requests: feed files due to be written again, recorded with the change.

New table only; existing data is untouched (`trajectories publish-calendars` writes every feed).

Revision ID: 0013_publications
Revises: 0012_ambassadors
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013_publications"
down_revision = "0012_ambassadors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publication_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("edition_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("publication_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publication_request_organiser_id"),
                              ["organiser_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("publication_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_request_organiser_id"))
    op.drop_table("publication_request")
