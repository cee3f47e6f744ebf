"""Cohort becomes Edition: the table, its columns and indexes, and the audit log's words.

Data is kept: tables and columns are renamed in place (SQLite 3.26+ and PostgreSQL both carry
the foreign keys along). Constraint names keep their first spelling; stored keys of planned
moments ("cohort:3") and the calendars' UIDs too, so nothing fires twice and no calendar
duplicates an event.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Tables with a foreign key to the edition.
CHILDREN = ("meeting", "deadline", "enrollment", "mail_outbox", "planned_moment", "moment_run")


def _indexes(word: str) -> list[tuple[str, str, list[str]]]:
    """(table, index, columns) of the indexes whose names say what they index, spelt `word`."""
    return [(word, f"ix_{word}_track_id", ["track_id"]),
            *((t, f"ix_{t}_{word}_id", [f"{word}_id"]) for t in CHILDREN),
            ("enrollment", f"ix_enrollment_{word}_status", [f"{word}_id", "status"])]


#: Event names and payload keys in the audit log.
EVENT_NAMES = ("Saved", "Published", "Deleted")


def _rename(old: str, new: str) -> None:
    op.rename_table(f"{old}_mail_settings", f"{new}_mail_settings")
    op.rename_table(old, new)
    for table in (*CHILDREN, f"{new}_mail_settings"):
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {old}_id TO {new}_id")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for (_, old_index, _), (table, new_index, columns) in zip(_indexes(old), _indexes(new)):
        if sqlite:  # SQLite cannot rename an index; recreating one is cheap
            op.drop_index(old_index, table_name=table)
            op.create_index(new_index, table, columns)
        else:
            op.execute(f"ALTER INDEX {old_index} RENAME TO {new_index}")
    payload = "payload" if sqlite else "payload::text"
    cast = "" if sqlite else "::json"
    op.execute(f"UPDATE event_log SET payload = replace({payload}, '\"{old}_', '\"{new}_'){cast}")
    cap_old, cap_new = old.capitalize(), new.capitalize()
    for suffix in EVENT_NAMES:
        op.execute(f"UPDATE event_log SET name = '{cap_new}{suffix}' "
                   f"WHERE name = '{cap_old}{suffix}'")


def upgrade() -> None:
    _rename("cohort", "edition")


def downgrade() -> None:
    _rename("edition", "cohort")
