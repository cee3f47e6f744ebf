"""The per-process cache of built feeds: each kept with the version it was built from, so
every worker and every host sees a change at its next check without any message between them.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from time import monotonic as time_now
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trajectories.feeds.build import FeedDocument

#: How long a worker answers a public feed from memory before it asks the database whether the
#: feed changed. The worker that commits a change forgets at once (handlers below); other workers
#: and hosts follow within this many seconds. Clients poll hourly.
FRESH_SECONDS = 5.0


class FeedCache:
    """Built feeds by key, each kept with the version it was built from (LRU, bounded); and, by
    URL, the feed last served and when its version was last checked. One per app."""

    def __init__(self, size: int = 512):
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[Hashable, FeedDocument]] = OrderedDict()
        self._recent: dict[str, tuple[float, FeedDocument]] = {}
        self._lock = threading.Lock()
        _caches.add(self)

    def recent(self, path: str) -> FeedDocument | None:
        """The feed served at `path` if its version was checked less than FRESH_SECONDS ago."""
        entry = self._recent.get(path)
        if entry is not None and time_now() - entry[0] < FRESH_SECONDS:
            return entry[1]
        return None

    def remember(self, path: str, document: FeedDocument) -> None:
        with self._lock:
            if len(self._recent) >= self.size:
                self._recent.clear()
            self._recent[path] = (time_now(), document)

    def forget_recent(self) -> None:
        """Something changed: check versions again on the next request of every feed."""
        with self._lock:
            self._recent.clear()

    def get(self, key: Hashable, version: Hashable,
            build: Callable[[], FeedDocument]) -> FeedDocument:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1]
        document = build()
        with self._lock:
            self._entries[key] = (version, document)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return document

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._recent.clear()


_caches: weakref.WeakSet[FeedCache] = weakref.WeakSet()


def forget_recent_everywhere() -> None:
    """A change was committed in this process (through whichever app or database): every cache
    here checks versions again on its next request."""
    for feed_cache in list(_caches):
        feed_cache.forget_recent()
