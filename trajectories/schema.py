"""Imports every module that defines tables, so `SQLModel.metadata` is complete.

The domain tables are in `models`; each area with tables of its own (mail outbox, scheduler plan,
sign-in tokens, ...) adds its module here. Migrations, tests and the app import this module.
"""

import trajectories.feeds.models  # noqa: F401
import trajectories.mail.models  # noqa: F401
import trajectories.models  # noqa: F401
import trajectories.scheduler.models  # noqa: F401
import trajectories.signin  # noqa: F401  (used_token: single-use sign-in links)
