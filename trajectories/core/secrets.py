"""What is stored of a secret link: its SHA-256, never the link (a leaked table opens nothing)."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    """The stored form of a random link token (hex SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()
