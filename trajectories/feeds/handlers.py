"""The feeds' own after-commit handler: forget this process's recently built feeds. The others
live with what they do: `publish` rewrites the public feed files, `preferences` keeps personal
feeds' Last-Modified moving. `SUBSCRIPTIONS` in `trajectories.app` wires them to events."""

from trajectories.feeds import cache


def forget_recent_feeds(event, db) -> None:
    """Other workers notice through the versions within cache.FRESH_SECONDS; this one at once.
    Wired to every event that can change what some feed shows."""
    cache.forget_recent_everywhere()
