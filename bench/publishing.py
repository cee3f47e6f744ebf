"""Publishing feeds under calendars/ at national scale (bench/national.py's data set) on
PostgreSQL:

- `publishing.publish_all`: `trajectories publish-calendars` from scratch, against the floor
  measured in the same run (`publishing.floor`: the same files, from the same rows, written by
  plain string formatting; target: at most 5x);
- `publishing.reschedule`: wall time of one session reschedule through the service layer until
  the save returns (it writes the edition's feed), and `reschedule_until_all_published`: until
  the track and organiser feed files hold it too, written by the scheduler leader's publisher
  (`trajectories.feeds.requests.run_publisher`, run here in a thread as the leader does; target
  1 s); medians of a few, against the demo data set.

    .venv/bin/python bench/publishing.py     # BENCH_NATIONAL_SCALE=0.25 for a proportionate 1/4
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench import national  # noqa: E402
from bench.common import bench, bench_app, fresh_database  # noqa: E402

DATABASE_URL = os.environ.get("TRAJECTORIES_BENCH_PUBLISH_DATABASE_URL",
                              "postgresql://postgres@127.0.0.1:5432/traj_publish_bench")
SCALE = float(os.environ.get("BENCH_NATIONAL_SCALE", "1"))
RESCHEDULES = 5


def floor(database, root: Path) -> int:
    """The public feeds' files from the same rows by plain string formatting (no icalendar, no
    folding or escaping): what writing them costs at the least."""
    from trajectories.catalogue.models import Edition, Organiser, Track
    from trajectories.feeds.publish import write_atomic
    from trajectories.schedule.models import Deadline, Meeting

    def stamp(moment) -> str:
        return moment.strftime("%Y%m%dT%H%M%SZ")

    with database.session() as session:
        organisers = session.execute(select(Organiser.id, Organiser.slug, Organiser.name)).all()
        tracks = session.execute(select(Track.id, Track.organiser_id, Track.slug,
                                        Track.title)).all()
        editions = session.execute(select(Edition.id, Edition.track_id, Edition.slug,
                                          Edition.name).where(Edition.draft.is_(False))).all()
        meetings = session.execute(select(
            Meeting.edition_id, Meeting.uid, Meeting.sequence, Meeting.updated_at,
            Meeting.on_date, Meeting.starts_at, Meeting.ends_at, Meeting.title,
            Meeting.location)).all()
        deadlines = session.execute(select(
            Deadline.edition_id, Deadline.uid, Deadline.sequence, Deadline.updated_at,
            Deadline.due_date, Deadline.title)).all()
    texts: dict[int, list[str]] = {e.id: [] for e in editions}
    names = {e.id: e.name for e in editions}
    for m in meetings:
        if m.edition_id in texts:
            title = names[m.edition_id]
            times = (f"DTSTART:{stamp(m.starts_at)}\r\nDTEND:{stamp(m.ends_at)}" if m.starts_at
                     else f"DTSTART;VALUE=DATE:{m.on_date:%Y%m%d}")
            texts[m.edition_id].append(
                f"BEGIN:VEVENT\r\nUID:{m.uid}\r\nSEQUENCE:{m.sequence}\r\n"
                f"DTSTAMP:{stamp(m.updated_at)}\r\n{times}\r\nSUMMARY:{m.title} ({title})\r\n"
                f"LOCATION:{m.location or ''}\r\nEND:VEVENT\r\n")
    for d in deadlines:
        if d.edition_id in texts:
            texts[d.edition_id].append(
                f"BEGIN:VEVENT\r\nUID:{d.uid}\r\nSEQUENCE:{d.sequence}\r\n"
                f"DTSTAMP:{stamp(d.updated_at)}\r\nDTSTART;VALUE=DATE:{d.due_date:%Y%m%d}\r\n"
                f"SUMMARY:{d.title}\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n")

    def write(path: str, name: str, parts) -> None:
        body = "".join(["BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", f"NAME:{name}\r\n", *parts,
                        "END:VCALENDAR\r\n"]).encode()
        write_atomic(root / path, body, 0)

    count = 0
    by_track: dict[int, list[int]] = {}
    for e in editions:
        by_track.setdefault(e.track_id, []).append(e.id)
    slugs = {e.id: e.slug for e in editions}
    for organiser in organisers:
        organiser_parts = []
        for track in (t for t in tracks if t.organiser_id == organiser.id):
            track_parts = []
            for edition_id in by_track.get(track.id, ()):
                write(f"{organiser.slug}/{track.slug}/{slugs[edition_id]}.ics",
                      names[edition_id], texts[edition_id])
                track_parts += texts[edition_id]
                count += 1
            write(f"{organiser.slug}/{track.slug}.ics", track.title, track_parts)
            organiser_parts += track_parts
            count += 1
        write(f"{organiser.slug}.ics", organiser.name, organiser_parts)
        count += 1
    return count


#: What `_shows` found, per (file, uid, mark), with the file's (inode, size, mtime, ctime) it read:
#: files are replaced by rename, so an unchanged one is not read again (reading and searching a
#: 3.7 MB organiser feed every few milliseconds held the GIL from the publisher thread).
_seen: dict[tuple[Path, str, str], tuple[tuple[int, ...], bool]] = {}


def _shows(path: Path, uid: str, mark: str) -> bool:
    """The feed file's VEVENT of `uid` holds `mark`."""
    try:
        stat = path.stat()
        signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        seen = _seen.get((path, uid, mark))
        if seen is not None and seen[0] == signature:
            return seen[1]
        text = path.read_text()
    except FileNotFoundError:
        return False
    at = text.find(f"UID:{uid}")
    found = at >= 0 and mark in text[text.rfind("BEGIN:VEVENT", 0, at):text.find("END:VEVENT", at)]
    _seen[(path, uid, mark)] = (signature, found)
    return found


def measure(database_url: str) -> dict[str, float]:
    import threading

    from trajectories.catalogue.models import Edition, Organiser, Track
    from trajectories.core.clock import utcnow
    from trajectories.feeds import links
    from trajectories.feeds.publish import publish_all
    from trajectories.feeds.requests import run_publisher
    from trajectories.schedule import services as schedule
    from trajectories.schedule.models import Meeting

    with tempfile.TemporaryDirectory() as var_dir:
        app = bench_app(database_url, var_dir, feed_publisher="scheduler")
        database = app.extensions["trajectories.db"]
        settings = app.config["SETTINGS"]
        times = {}
        # Wall and CPU time (this process's): the CPU figures hold on a busy machine too.
        started, cpu = time.perf_counter(), time.process_time()
        count = floor(database, Path(var_dir) / "floor")
        times["floor"] = time.perf_counter() - started
        times["floor_cpu"] = time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        count = publish_all(database, settings)
        times["publish_all"] = time.perf_counter() - started
        times["publish_all_cpu"] = time.process_time() - cpu
        print(f"# {count} feeds published; floor {times['floor']:.2f} s", flush=True)
        stop = threading.Event()
        publisher = threading.Thread(target=run_publisher, args=(database, settings, stop),
                                     daemon=True)
        publisher.start()

        # A session still ahead, in an edition of the largest organiser feed.
        with database.session(actor="bench") as session:
            meeting = session.scalars(select(Meeting).where(
                Meeting.on_date > utcnow().date(), Meeting.starts_at.is_not(None))
                .order_by(Meeting.id)).first()
            meeting_id, uid = meeting.id, meeting.uid
            edition = session.get(Edition, meeting.edition_id)
            track = session.get(Track, edition.track_id)
            organiser = session.get(Organiser, track.organiser_id)
            root = Path(settings.calendars_dir)
            files = [root / links.organiser_path(organiser),
                     root / links.track_path(organiser, track),
                     root / links.edition_path(organiser, track, edition)]
        samples, published = [], []
        for n in range(RESCHEDULES):
            with database.session(actor="bench") as session:
                meeting = session.get(Meeting, meeting_id)
                day = meeting.on_date + timedelta(days=1 if n % 2 == 0 else -1)
                started = time.perf_counter()
                schedule.reschedule_meeting(session, meeting, on_date=day,
                                            start=clock(13, 30), end=clock(15, 30))
                samples.append(time.perf_counter() - started)
            mark = f"DTSTART;TZID={edition.timezone}:{day:%Y%m%d}T133000"
            while not all(_shows(f, uid, mark) for f in files):
                time.sleep(0.005)
            published.append(time.perf_counter() - started)
        times["reschedule"] = statistics.median(samples)
        times["reschedule_until_all_published"] = statistics.median(published)
        stop.set()
        publisher.join()
        database.dispose()
    return times


def main() -> None:
    from trajectories.core.db import Database
    from trajectories.demo.loader import load_demo

    url = fresh_database(DATABASE_URL)
    database = Database(url)
    list(load_demo(database))
    database.dispose()
    demo = measure(url)

    if SCALE != 1:
        for name in ("PARTICIPANTS", "EDITIONS"):
            setattr(national, name, int(getattr(national, name) * SCALE))
        print(f"# national data set at scale {SCALE}: {national.EDITIONS} editions", flush=True)
    url = fresh_database(DATABASE_URL)
    database = Database(url)
    started = time.perf_counter()
    national.generate(database)
    print(f"# generated in {time.perf_counter() - started:.1f} s", flush=True)
    database.dispose()
    scaled = measure(url)

    bench("publishing.publish_all", scaled["publish_all"] * 1000, "ms",
          scaled["floor"] * 1000)
    bench("publishing.publish_all_cpu", scaled["publish_all_cpu"] * 1000, "ms",
          scaled["floor_cpu"] * 1000)
    for name in ("reschedule", "reschedule_until_all_published"):
        bench(f"publishing.{name}", scaled[name] * 1000, "ms", demo[name] * 1000)


if __name__ == "__main__":
    main()
