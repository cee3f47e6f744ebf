"""Imports every module that defines tables, so `SQLModel.metadata` is complete.

Each feature keeps its tables in its own `models` module; a feature with tables adds it here.
Migrations, tests and the app import this module.
"""

import trajectories.accounts.models  # noqa: F401
import trajectories.accounts.tokens  # noqa: F401  (used_token: single-use sign-in links)
import trajectories.ambassadors.models  # noqa: F401
import trajectories.award.models  # noqa: F401
import trajectories.catalogue.models  # noqa: F401
import trajectories.completion.models  # noqa: F401
import trajectories.core.models  # noqa: F401
import trajectories.core.reference  # noqa: F401  (reference_municipality)
import trajectories.feedback.models  # noqa: F401
import trajectories.feeds.models  # noqa: F401
import trajectories.interest.models  # noqa: F401
import trajectories.lending.models  # noqa: F401
import trajectories.mail.models  # noqa: F401
import trajectories.menukaart.models  # noqa: F401
import trajectories.people.models  # noqa: F401
import trajectories.schedule.models  # noqa: F401
import trajectories.scheduler.models  # noqa: F401
