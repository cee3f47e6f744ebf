"""The yearly award: rounds, criteria, nominations, jury and scores; a track kind "award" and
jury accounts (`coordinator.jury_only`).

Existing tracks keep their kind and existing coordinators are no jury (server default), so no
data changes. The track kind's CHECK only widens: on SQLite its text is rewritten in place (the
documented way to change a CHECK constraint without rebuilding a table, which would trip the
foreign keys of the rows that point at `track`); on PostgreSQL it is dropped and created.

Revision ID: 0011_award
Revises: 0010_lending
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_award"
down_revision = "0010_lending"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('trajectory', 'regional_meeting')"
NEW_KINDS = "kind IN ('trajectory', 'regional_meeting', 'award')"


def _track_kinds(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint("track_kind", "track", type_="check")
        op.create_check_constraint("track_kind", "track", new)
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'track'").scalar()
    if old not in sql:
        raise RuntimeError(f"track_kind: expected {old!r} in the table's definition")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'track'",
                         (sql.replace(old, new),))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _track_kinds(OLD_KINDS, NEW_KINDS)
    op.add_column("coordinator", sa.Column("jury_only", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
    op.create_table(
        "award_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("intro", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("publication", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("publication IN ('nothing', 'shortlist', 'winner')",
                           name="award_round_publication"),
        sa.CheckConstraint("closes_on >= opens_on", name="award_round_period"),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"]),
        sa.ForeignKeyConstraint(["organiser_id"], ["organiser.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("edition_id"),
        sa.UniqueConstraint("organiser_id", "year", name="award_round_once_per_year"),
    )
    with op.batch_alter_table("award_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_round_organiser_id"), ["organiser_id"])
    op.create_table(
        "award_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("weight >= 1 AND weight <= 10", name="award_criterion_weight"),
        sa.ForeignKeyConstraint(["round_id"], ["award_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("award_criterion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_criterion_round_id"), ["round_id"])
    op.create_table(
        "award_nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("shortlisted", sa.Boolean(), nullable=False),
        sa.Column("winner", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["award_round.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["started_by_id"], ["participant.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "organisation_id", name="award_nomination_once"),
    )
    with op.batch_alter_table("award_nomination", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_nomination_round_id"), ["round_id"])
        batch_op.create_index(batch_op.f("ix_award_nomination_organisation_id"),
                              ["organisation_id"])
    op.create_table(
        "award_juror",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinator.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["award_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "coordinator_id"),
    )
    op.create_table(
        "award_score",
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("score >= 1 AND score <= 10", name="award_score_range"),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinator.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["criterion_id"], ["award_criterion.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["nomination_id"], ["award_nomination.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("nomination_id", "criterion_id", "coordinator_id"),
    )


def downgrade() -> None:
    op.drop_table("award_score")
    op.drop_table("award_juror")
    op.drop_table("award_nomination")
    op.drop_table("award_criterion")
    op.drop_table("award_round")
    with op.batch_alter_table("coordinator", schema=None) as batch_op:
        batch_op.drop_column("jury_only")
    _track_kinds(NEW_KINDS, OLD_KINDS)
