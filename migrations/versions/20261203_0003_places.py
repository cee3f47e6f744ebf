"""Per edition, what a place is: a person (as before) or an organisation, and an optional
maximum of participants per organisation.

Data is kept: existing editions count people (`place_unit` defaults to 'person') and have no
maximum. The columns are added with their CHECK constraints in one ALTER TABLE each, which both
SQLite and PostgreSQL accept (SQLite cannot add a constraint to an existing table otherwise).

Revision ID: 0003_places
Revises: 0002
"""
from alembic import op

revision = "0003_places"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE edition ADD COLUMN place_unit VARCHAR(20) DEFAULT 'person' NOT NULL"
               " CONSTRAINT edition_place_unit CHECK (place_unit IN ('person', 'organisation'))")
    op.execute("ALTER TABLE edition ADD COLUMN max_per_organisation INTEGER"
               " CONSTRAINT edition_max_per_organisation"
               " CHECK (max_per_organisation IS NULL OR max_per_organisation >= 1)")


def downgrade() -> None:
    with op.batch_alter_table("edition") as batch:
        batch.drop_column("max_per_organisation")
        batch.drop_column("place_unit")
