"""Calendar feeds (agenda-abonnementen): building, serving, publishing into calendars/.

- `calendar`: one session or deadline as a VEVENT, and the VCALENDAR around them (pure).
- `rows`: the sessions and deadlines feeds hold, loaded once per publish run; the window.
- `build`: which editions and entries each feed holds, its bytes, ETag, Last-Modified, version.
- `cache`: built feeds per process, kept with the version they were built from.
- `links`: feed paths and subscribe URLs (webcal, Google, Outlook) for templates.
- `splice`: each public VEVENT's text built once per change, spliced into every feed holding it.
- `publish`: atomic files under calendars/ on every change, and `publish-calendars`.
- `requests`: which feeds a change made stale (written with it), and the one publisher of them.
- `tokens`, `preferences`: personal feed tokens (hash only) and reminder choices.
"""

from trajectories.feeds.preferences import feed_alarm_minutes, set_feed_alarm
from trajectories.feeds.tokens import (
    participant_for_token,
    personal_feed_path,
    revoke_feed_token,
    rotate_feed_token,
)

__all__ = ["feed_alarm_minutes", "participant_for_token", "personal_feed_path",
           "revoke_feed_token", "rotate_feed_token", "set_feed_alarm"]
