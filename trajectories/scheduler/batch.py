"""Reading and writing the plan of many editions at once (a whole re-plan: scheduler start,
takeover, hourly), so its cost is a handful of statements per chunk of editions, not a few
dozen per edition.

`load_editions` reads what the rules in `trajectories.scheduler.moments` look at (the editions,
their tracks, sessions, deadlines, extensions and mail settings) in six queries; `load_stored` reads
their stored moments as plain rows; `write` inserts the new moments and updates the changed ones
in one statement each. Which moments a subject wants, and how a stored one follows it, stays in
`moments` and `plan`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from trajectories.catalogue.models import Edition, Track
from trajectories.mail.models import EditionMailSettings
from trajectories.schedule.models import Deadline, DeadlineExtension, Meeting
from trajectories.scheduler.models import PlannedMoment

#: Editions read and written together (bounded: the IN lists and the rows held in memory).
CHUNK = 500

_MOMENTS = PlannedMoment.__table__


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


@dataclass
class EditionRows:
    """One edition and what its moments depend on."""

    edition: Edition
    prefs: EditionMailSettings
    track: Track | None = None
    meetings: list[Meeting] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    #: By deadline id.
    extensions: dict[int, list[DeadlineExtension]] = field(default_factory=dict)

    @property
    def due_dates(self) -> list[date]:
        """Every deadline's date and every extension's."""
        return [d.due_date for d in self.deadlines] + [
            e.due_date for extensions in self.extensions.values() for e in extensions]

    @property
    def last_activity(self) -> date | None:
        """As `moments.last_activity`: its last session or deadline day."""
        return max([m.on_date for m in self.meetings] + [d.due_date for d in self.deadlines],
                   default=None)


def load_editions(session: Session, edition_ids: list[int]) -> dict[int, EditionRows]:
    """The editions (those that exist) with their rows; the editions without stored mail
    settings (most) share one object with the defaults (not stored), as `settings_for` gives."""
    settings = {row.edition_id: row for row in session.scalars(select(EditionMailSettings).where(
        EditionMailSettings.edition_id.in_(edition_ids)))}
    defaults = EditionMailSettings()  # shared by the editions without settings: read only
    loaded = {edition.id: EditionRows(edition, settings.get(edition.id, defaults))
              for edition in session.scalars(select(Edition).where(
                  Edition.id.in_(edition_ids)))}
    # Their tracks: the rules ask whether a track completes.
    tracks = {track.id: track for track in session.scalars(select(Track).where(
        Track.id.in_({rows.edition.track_id for rows in loaded.values()})))}
    for rows in loaded.values():
        rows.track = tracks.get(rows.edition.track_id)
    for meeting in session.scalars(select(Meeting).where(Meeting.edition_id.in_(edition_ids))
                                .order_by(Meeting.id)):
        if meeting.edition_id in loaded:
            loaded[meeting.edition_id].meetings.append(meeting)
    editions_of = {}
    for deadline in session.scalars(select(Deadline).where(Deadline.edition_id.in_(edition_ids))
                                 .order_by(Deadline.id)):
        if deadline.edition_id in loaded:
            loaded[deadline.edition_id].deadlines.append(deadline)
            editions_of[deadline.id] = deadline.edition_id
    for extension in session.scalars(select(DeadlineExtension).join(
            Deadline, Deadline.id == DeadlineExtension.deadline_id).where(
            Deadline.edition_id.in_(edition_ids))):
        if extension.deadline_id in editions_of:
            loaded[editions_of[extension.deadline_id]].extensions.setdefault(
                extension.deadline_id, []).append(extension)
    return loaded


class StoredMoment:
    """A stored moment as a plain row: what re-planning compares and may change (`plan._apply`,
    `plan._retire` change it like a PlannedMoment)."""

    __slots__ = ("id", "job_id", "kind", "subject", "due_at", "useful_until", "status", "version",
                 "note", "processed_at", "updated_at", "read_version")
    #: What `load_stored` reads; the rest is written, never compared.
    READ = __slots__[:8]

    def __init__(self, row):
        (self.id, self.job_id, self.kind, self.subject, self.due_at, self.useful_until,
         self.status, self.version) = row
        self.read_version = self.version


def load_stored(session: Session, edition_ids: list[int],
                kinds: tuple[str, ...]) -> dict[str, dict[str, StoredMoment]]:
    """The stored moments of these kinds of the editions, by subject, then job id."""
    stored: dict[str, dict[str, StoredMoment]] = {}
    for row in session.execute(select(*(_MOMENTS.c[name] for name in StoredMoment.READ)).where(
            _MOMENTS.c.edition_id.in_(edition_ids), _MOMENTS.c.kind.in_(kinds))):
        stored.setdefault(row.subject, {})[row.job_id] = StoredMoment(row)
    return stored


_MOVED = ("due_at", "useful_until", "status", "note", "processed_at", "version", "updated_at")
_RETIRED = ("status", "note", "version", "updated_at")


def _unnest(session: Session, names, rows: list[dict]) -> tuple[str, dict]:
    """PostgreSQL: the rows as `unnest(...)` of one array parameter per column, sent in binary,
    so any number of rows goes in one statement of constant text. (Sent as the driver's SQL:
    psycopg's `%(name)b` is its binary parameter.)"""
    dialect = session.get_bind().dialect
    columns = ", ".join(
        f"%({name})b::{_MOMENTS.c[name.removeprefix('read_')].type.compile(dialect=dialect)}[]"
        for name in names)
    return f"unnest({columns})", {name: [row[name] for row in rows] for name in names}


def _insert(session: Session, new: list[dict]) -> None:
    if session.get_bind().dialect.name == "postgresql":
        names = list(new[0])
        rows, params = _unnest(session, names, new)
        session.connection().exec_driver_sql(
            f"INSERT INTO {_MOMENTS.name} ({', '.join(names)}) SELECT * FROM {rows} "
            "ON CONFLICT (job_id) DO NOTHING", params)
    else:
        session.execute(sqlite_insert(_MOMENTS).on_conflict_do_nothing(index_elements=["job_id"]),
                        new)


def _update(session: Session, moments: list[StoredMoment], names: tuple[str, ...]) -> None:
    if not moments:
        return
    values = [{"id": row.id, "read_version": row.read_version,
               **{name: getattr(row, name) for name in names}} for row in moments]
    if session.get_bind().dialect.name == "postgresql":
        every = ["id", "read_version", *names]
        rows, params = _unnest(session, every, values)
        session.connection().exec_driver_sql(
            f"UPDATE {_MOMENTS.name} AS m SET {', '.join(f'{n} = v.{n}' for n in names)} "
            f"FROM {rows} AS v({', '.join(every)}) "
            "WHERE m.id = v.id AND m.version = v.read_version", params)
    else:
        session.execute(
            update(_MOMENTS).where(_MOMENTS.c.id == bindparam("b_id"),
                                   _MOMENTS.c.version == bindparam("b_read_version"))
            .values({name: bindparam(f"b_{name}") for name in names}),
            [{f"b_{name}": value for name, value in row.items()} for row in values])


def write(session: Session, new: list[dict], moved: list[StoredMoment],
          retired: list[StoredMoment]) -> None:
    """Insert `new` (column values) and update the `moved` and the `retired` moments, one
    statement each. A moment that a handler stored meanwhile (same job id) or changed meanwhile
    (its version moved) is left as that handler wrote it: its change is the newer one, and the
    next re-plan looks again."""
    if new:
        _insert(session, new)
    _update(session, moved, _MOVED)
    _update(session, retired, _RETIRED)
