"""The entries of feeds: an organiser's sessions and deadlines, loaded once per publish run
and shared out to its track and edition feeds, and the window of the public track and organiser
feeds (one year back and everything ahead).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from sqlalchemy import Select, func
from sqlmodel import Session, select

from trajectories.core.clock import utcnow
from trajectories.schedule.models import Deadline, Material, Meeting

WINDOW = timedelta(days=365)


def window_start(now: datetime | None = None) -> date:
    return (now or utcnow()).date() - WINDOW


@dataclass
class Rows:
    """The window's entries of some editions. A publish run loads an organiser's once and gives
    each of its track and edition feeds their share (`of`), with the VEVENTs built once.
    Sessions, materials and deadlines are plain rows of their tables' columns, read like the
    models (`meeting.title`)."""

    meetings: Sequence[Meeting]
    materials: dict[int, list[Material]]
    deadlines: Sequence[Deadline]
    #: Per edition, the day of its latest entry that the window leaves out.
    left_out: dict[int, date]
    #: Public VEVENT texts of these rows (`splice.EventText`), shared by every feed that
    #: shows them.
    events: dict[Hashable, object] = field(default_factory=dict)

    @property
    def dropped_at(self) -> datetime | None:
        """When the window last dropped an entry of these editions (None: it never did)."""
        if not self.left_out:
            return None
        # An entry on day D leaves the window on D + 366 days: from then on it is gone.
        return datetime.combine(max(self.left_out.values()) + WINDOW + timedelta(days=1), time(),
                                tzinfo=UTC)

    def since(self, start: date) -> Rows:
        """The entries from `start` on (a window), sharing the built VEVENTs; what it leaves
        out is remembered per edition for Last-Modified."""
        left_out = dict(self.left_out)
        for edition_id, day in [*((m.edition_id, m.on_date) for m in self.meetings),
                               *((d.edition_id, d.due_date) for d in self.deadlines)]:
            if day < start:
                left_out[edition_id] = max(day, left_out.get(edition_id, day))
        return Rows([m for m in self.meetings if m.on_date >= start], self.materials,
                    [d for d in self.deadlines if d.due_date >= start], left_out, self.events)

    def of(self, edition_ids: Iterable[int]) -> Rows:
        ids = set(edition_ids)
        meetings, deadlines = self._by_edition
        return Rows([m for c in ids for m in meetings.get(c, ())], self.materials,
                    [d for c in ids for d in deadlines.get(c, ())],
                    {c: day for c, day in self.left_out.items() if c in ids}, self.events)

    @cached_property
    def _by_edition(self) -> tuple[dict[int, list[Meeting]], dict[int, list[Deadline]]]:
        # A publish run takes thousands of shares: reading every row's edition_id for each
        # (an ORM attribute) took a quarter of the run.
        meetings, deadlines = defaultdict(list), defaultdict(list)
        for meeting in self.meetings:
            meetings[meeting.edition_id].append(meeting)
        for deadline in self.deadlines:
            deadlines[deadline.edition_id].append(deadline)
        return meetings, deadlines


def _columns(model) -> Select:
    """The model's columns as plain rows (read like the model: `row.title`): feeds only read
    them, and a publish run loads thousands, which as ORM objects cost several times as much
    (and their garbage collection more)."""
    return select(*model.__table__.columns)


def load_rows(session: Session, edition_ids: list[int] | Select, start: date | None) -> Rows:
    """The entries of these editions from `start` on; all of them when `start` is None.
    `edition_ids`: a list, or a query of them (an organiser's thousand editions as a list made
    statements of thousands of parameters, slower to send than to run)."""
    if isinstance(edition_ids, list) and not edition_ids:
        return Rows([], {}, [], {})
    of_meetings = [Meeting.edition_id.in_(edition_ids)]
    of_deadlines = [Deadline.edition_id.in_(edition_ids)]
    if start is not None:
        of_meetings.append(Meeting.on_date >= start)
        of_deadlines.append(Deadline.due_date >= start)
    meetings = session.exec(_columns(Meeting).where(*of_meetings)).all()
    materials: dict[int, list[Material]] = defaultdict(list)
    if meetings:
        for material in session.exec(_columns(Material).where(
                Material.meeting_id.in_(select(Meeting.id).where(*of_meetings)))
                .order_by(Material.id)):
            materials[material.meeting_id].append(material)
    deadlines = session.exec(_columns(Deadline).where(*of_deadlines)).all()
    left_out: dict[int, date] = {}
    if start is None:
        return Rows(meetings, materials, deadlines, left_out)
    for edition_id, day in [
        *session.exec(select(Meeting.edition_id, func.max(Meeting.on_date)).where(
            Meeting.edition_id.in_(edition_ids), Meeting.on_date < start)
            .group_by(Meeting.edition_id)),
        *session.exec(select(Deadline.edition_id, func.max(Deadline.due_date)).where(
            Deadline.edition_id.in_(edition_ids), Deadline.due_date < start)
            .group_by(Deadline.edition_id)),
    ]:
        left_out[edition_id] = max(day, left_out.get(edition_id, day))
    return Rows(meetings, materials, deadlines, left_out)
