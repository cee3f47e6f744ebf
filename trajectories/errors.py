"""The one error type that services raise for bad input."""

from __future__ import annotations


class InvalidInput(Exception):
    """Input a service refuses; nothing was written.

    `message` is for the person who typed it (Dutch by default, translated by Flask-Babel),
    `field` names the form field it belongs beside, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class NotFound(Exception):
    """The object does not exist, or is not visible to whoever asked (answered as 404)."""
