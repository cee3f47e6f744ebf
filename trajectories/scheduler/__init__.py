"""The scheduler: a plan of moments in the database (the truth) and APScheduler as its alarm clock.

- `models.PlannedMoment`: one row per (session or deadline, moment): when it is due, until when it
  is still useful, whether it was processed.
- `moments`: which moments a session, deadline or edition wants, and when; what counts as over.
- `plan`: writes them as rows (after-commit handlers in `handlers`, and the full re-plan at
  start-up).
- `jobs`: what runs when a moment fires (`senders`: one function per kind of moment; recipients
  from `trajectories.mail.recipients`), mails queued in the outbox.
- `runtime`: the scheduler process (`run_scheduler`, `run_as_leader`), with `engine` (APScheduler
  set up, the clock scheduler), `sync` (the job store kept in line with the plan) and `drainer`.
- `overview`: an edition's mail schedule as coordinators see it.
"""
