"""Reach: which municipalities took part, delivered and completed, per province, Global Goal and
year, across an organiser's tracks; a municipality's and a participant's history; the reference
list of municipalities kept current through imports (herindelingen)."""
