"""Ambassadors per province: one row per period a person represents an organiser in a province.

A new table only; existing data is untouched.

Revision ID: 0012_ambassadors
Revises: 0011_award
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012_ambassadors"
down_revision = "0011_award"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ambassador",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=10),
                  nullable=False),
        sa.Column("municipality", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("contact_consent", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("country IN ('NL', 'BE')", name="ambassador_country"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ambassador_period"),
        sa.CheckConstraint("contact_email = '' OR contact_consent", name="ambassador_consent"),
        sa.ForeignKeyConstraint(["organiser_id"], ["organiser.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ambassador", schema=None) as batch_op:
        batch_op.create_index("ix_ambassador_province", ["organiser_id", "country", "province"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("ambassador")
