"""Strings that code translates at runtime with `_(variable)` but keeps as plain literals.

`make messages` only extracts literals inside a gettext call; `N_` marks these for extraction
without translating them here. Remove an entry once its source marks the literal itself.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802  (the gettext convention Babel extracts by default)
    return text


#: web/coordinator/roster.py STATUS_LABELS, shown as `_(label)` on the registrations page and in
#: the CSV export; the other two labels ("toegelaten", "afgerond") are extracted elsewhere.
ENROLLMENT_STATUS_LABELS = (N_("aangemeld"), N_("wachtlijst"), N_("ingetrokken"))
