"""What every feature stands on: settings, the database, the clock, errors, logs, the event bus,
the service decorator and its validators, the leader lock, heartbeats and reference data. Core
imports no feature.
"""
