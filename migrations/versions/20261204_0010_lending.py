"""Lending: objects that can be lent (the Tijdscapsule), requests and loans per period; the
scheduler's moments and runs may belong to no edition (a loan's reminders).

Two approved loans of one object never overlap: an exclusion constraint on PostgreSQL
(btree_gist), triggers on SQLite (`trajectories.lending.models`).

Revision ID: 0010_lending
Revises: 0009_menukaart
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

POSTGRES_NO_OVERLAP = (
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE loan ADD CONSTRAINT loan_no_overlap EXCLUDE USING gist "
    "(object_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&) "
    "WHERE (status = 'approved')",
)
_SQLITE_CHECK = (
    "WHEN NEW.status = 'approved' AND EXISTS (SELECT 1 FROM loan other "
    "WHERE other.object_id = NEW.object_id AND other.id IS NOT NEW.id "
    "AND other.status = 'approved' AND other.starts_on <= NEW.ends_on "
    "AND other.ends_on >= NEW.starts_on) "
    "BEGIN SELECT RAISE(ABORT, 'loan_overlap'); END"
)
SQLITE_NO_OVERLAP = (
    f"CREATE TRIGGER loan_no_overlap_insert BEFORE INSERT ON loan {_SQLITE_CHECK}",
    "CREATE TRIGGER loan_no_overlap_update BEFORE UPDATE OF status, starts_on, ends_on, "
    f"object_id ON loan {_SQLITE_CHECK}",
)

revision = "0010_lending"
down_revision = "0009_menukaart"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lendable_object",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organiser_id"], ["organiser.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("lendable_object", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lendable_object_organiser_id"), ["organiser_id"],
                              unique=False)
    op.create_table(
        "loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("proposed_starts_on", sa.Date(), nullable=True),
        sa.Column("proposed_ends_on", sa.Date(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('requested', 'proposed', 'approved', 'declined', "
                           "'cancelled')", name="loan_status"),
        sa.CheckConstraint("ends_on >= starts_on", name="loan_period"),
        sa.ForeignKeyConstraint(["object_id"], ["lendable_object.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("loan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_object_id"), ["object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_organisation_id"), ["organisation_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_loan_participant_id"), ["participant_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_loan_requested_at"), ["requested_at"],
                              unique=False)
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_NO_OVERLAP if dialect == "postgresql" else SQLITE_NO_OVERLAP:
        op.execute(statement)
    for table in ("planned_moment", "moment_run"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("edition_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM moment_run WHERE edition_id IS NULL")
    op.execute("DELETE FROM planned_moment WHERE edition_id IS NULL")
    for table in ("moment_run", "planned_moment"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("edition_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("loan")
    op.drop_table("lendable_object")
