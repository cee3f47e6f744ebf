"""Ambassadors per province: a person (an alderman, a civil servant) who represents an
organiser's campaign in one province for a period, and the public province pages."""
