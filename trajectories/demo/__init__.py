"""The demo data: the programmes of the source documents, loaded by `trajectories demo`."""
