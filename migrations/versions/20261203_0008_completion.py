"""Completion: each edition's completion rules, the decision per enrollment, certificates.

New tables only; existing data is untouched (an edition without rules uses the defaults).

Revision ID: 0008_completion
Revises: 0007_interest
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_completion"
down_revision = "0007_interest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "completion_rules",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("deadlines_required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("unit IN ('sessions', 'percent')", name="completion_rules_unit"),
        sa.CheckConstraint("minimum >= 0", name="completion_rules_minimum"),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("edition_id"),
    )
    op.create_table(
        "completion_decision",
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("missing_deadlines", sa.Integer(), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("enrollment_id"),
    )
    with op.batch_alter_table("completion_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_completion_decision_edition_id"), ["edition_id"],
                              unique=False)
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("enrollment_id"),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_edition_id"), ["edition_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_participant_id"), ["participant_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("certificate")
    op.drop_table("completion_decision")
    op.drop_table("completion_rules")
