"""The catalogue: organisers, tracks and editions; their status, and the services that write them."""
