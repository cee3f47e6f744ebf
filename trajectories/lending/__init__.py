"""Lending a travelling object (the Tijdscapsule): objects, requests per period, loans."""
