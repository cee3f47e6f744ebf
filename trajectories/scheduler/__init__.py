"""The scheduler: a plan of moments in the database (the truth) and APScheduler as its alarm clock.

- `models.PlannedMoment`: one row per (session or deadline, moment): when it is due, until when it
  is still useful, whether it was processed.
- `plan`: computes the moments from the database (after-commit handlers in `handlers`, and the
  full re-plan at start-up).
- `jobs`: what runs when a moment fires: recipients worked out then, mails queued in the outbox.
- `runtime`: the APScheduler process, its start-up reconciliation and `run_scheduler`.
"""
