"""Services: plain functions that change state, one transaction each, recording domain events.

Each takes the database session first, checks its input (raising `InvalidInput` with a Dutch
message before anything is written), writes, records an event and commits.
"""
