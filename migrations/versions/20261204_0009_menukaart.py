"""The Menukaart: examples of what municipalities did, and their files.

New tables only; existing data is untouched.

Revision ID: 0009_menukaart
Revises: 0008_completion
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009_menukaart'
down_revision = '0008_completion'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('menukaart_example',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=600), nullable=False),
    sa.Column('what_was_done', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sdgs', sa.JSON(), nullable=False),
    sa.Column('theme', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('contact_consent', sa.Boolean(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('token_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('requested_from', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("source IN ('coordinator', 'submission', 'proposal')", name='menukaart_example_source'),
    sa.CheckConstraint("status IN ('draft', 'awaiting_consent', 'proposed', 'published', 'rejected')", name='menukaart_example_status'),
    sa.CheckConstraint('year IS NULL OR (year >= 1990 AND year <= 2200)', name='menukaart_example_year'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('menukaart_example', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_menukaart_example_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_menukaart_example_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_menukaart_example_status'), ['status'], unique=False)

    op.create_table('menukaart_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('example_id', sa.Integer(), nullable=False),
    sa.Column('file_path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['example_id'], ['menukaart_example.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('menukaart_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_menukaart_file_example_id'), ['example_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('menukaart_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_menukaart_file_example_id'))

    op.drop_table('menukaart_file')
    with op.batch_alter_table('menukaart_example', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_menukaart_example_status'))
        batch_op.drop_index(batch_op.f('ix_menukaart_example_organiser_id'))
        batch_op.drop_index(batch_op.f('ix_menukaart_example_organisation_id'))

    op.drop_table('menukaart_example')
