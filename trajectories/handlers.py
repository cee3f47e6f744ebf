"""Imports every module that subscribes after-commit handlers to domain events.

Feeds, the scheduler's plan and the mail outbox hook in here, each in its own module.
"""
import trajectories.feeds.handlers  # noqa: F401
import trajectories.scheduler.handlers  # noqa: F401
