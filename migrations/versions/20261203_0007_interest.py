"""Interest lists per track, and regional meetings: a track's kind and an edition's region.

Existing tracks become learning tracks ("trajectory") and existing editions have no region
(server defaults), so no data changes.

Revision ID: 0007_interest
Revises: 0006_api
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0007_interest"
down_revision = "0006_api"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a batch (copy-and-move) of SQLite's track table would
    # trip the foreign keys of the rows that point at it.
    kinds = "kind IN ('trajectory', 'regional_meeting')"
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE track ADD COLUMN kind VARCHAR(20) NOT NULL DEFAULT 'trajectory'"
                   f" CONSTRAINT track_kind CHECK ({kinds})")
    else:
        op.add_column("track", sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20),
                                         nullable=False, server_default="trajectory"))
        op.create_check_constraint("track_kind", "track", kinds)
    op.add_column("edition", sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=100),
                                       nullable=False, server_default=""))
    op.create_table(
        "interest_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["track_id"], ["track.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("track_id", "participant_id", name="interest_once"),
    )
    with op.batch_alter_table("interest_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interest_entry_track_id"), ["track_id"])
        batch_op.create_index(batch_op.f("ix_interest_entry_participant_id"), ["participant_id"])
        batch_op.create_index(batch_op.f("ix_interest_entry_organisation_id"),
                              ["organisation_id"])


def downgrade() -> None:
    op.drop_table("interest_entry")
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.drop_column("region")
    with op.batch_alter_table("track", schema=None) as batch_op:
        batch_op.drop_constraint("track_kind", type_="check")
        batch_op.drop_column("kind")
