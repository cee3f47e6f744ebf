"""The feeds' after-commit handlers: republish public feeds, keep personal ones' Last-Modified
moving. Imported once by `trajectories.handlers`."""

from . import preferences, publish  # noqa: F401
