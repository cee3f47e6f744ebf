"""Municipalities as data: the imported reference list (herindelingen), a merged municipality's
link to the one it merged into, and every municipality's province from the shipped reference.

Revision ID: 0004_reach
Revises: 0003_places
"""
import csv

import sqlalchemy as sa
import sqlmodel
from alembic import op

from trajectories.core.reference import DATA

revision = "0004_reach"
down_revision = "0003_places"
branch_labels = None
depends_on = None


def _shipped() -> list[dict]:
    """(code, province) of every shipped municipality, read here: a migration stays as written."""
    rows = []
    for name, column in (("municipalities-nl.csv", "cbs_code"),
                         ("municipalities-be-flanders.csv", "nis_code")):
        with (DATA / name).open(encoding="utf-8", newline="") as f:
            rows += [{"c": r[column], "p": r["province"]} for r in csv.DictReader(f)]
    return rows


def upgrade() -> None:
    op.create_table(
        "reference_municipality",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("province", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("merged_into", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_organisation_merged_into_id"), ["merged_into_id"],
                              unique=False)
        batch_op.create_foreign_key("organisation_merged_into_id_fkey", "organisation",
                                    ["merged_into_id"], ["id"])
    # Municipalities registered before provinces were kept: their province from the reference.
    op.get_bind().execute(sa.text(
        "UPDATE organisation SET province = :p WHERE code = :c AND kind = 'municipality'"
        " AND province = ''"), _shipped())


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_constraint("organisation_merged_into_id_fkey", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_organisation_merged_into_id"))
        batch_op.drop_column("merged_into_id")
    op.drop_table("reference_municipality")
