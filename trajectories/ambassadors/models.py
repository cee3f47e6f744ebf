"""The ambassadors' table: one row per period a person is an organiser's ambassador for a
province. At most one period per province and organiser covers any day (the services refuse an
overlap)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Country, check_in


class Ambassador(SQLModel, table=True):
    """A person who is an organiser's ambassador for one province, from `starts_on` to
    `ends_on` (both days included; open-ended while `ends_on` is None)."""

    __tablename__ = "ambassador"

    id: int | None = Field(default=None, primary_key=True)
    organiser_id: int = Field(foreign_key="organiser.id", ondelete="CASCADE")
    #: NL or BE: the province's country (a name like Limburg exists in both).
    country: str = Field(max_length=2)
    #: The province's name as in the reference data (trajectories/core/reference.py).
    province: str = Field(max_length=100)
    name: str = Field(max_length=200)
    #: What the person is, in their own words: "wethouder Duurzaamheid", "beleidsadviseur".
    role: str = Field(max_length=200)
    #: CBS or NIS code of the person's municipality, and its name when appointed.
    municipality_code: str = Field(max_length=10)
    municipality: str = Field(max_length=200)
    #: An address the public may write to; shown only with `contact_consent`.
    contact_email: str = Field(default="", max_length=254)
    #: The person agreed that `contact_email` is shown on the public province page.
    contact_consent: bool = False
    starts_on: date
    #: The last day; None while open-ended.
    ends_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(check_in("country", Country), name="ambassador_country"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ambassador_period"),
        CheckConstraint("contact_email = '' OR contact_consent", name="ambassador_consent"),
        Index("ix_ambassador_province", "organiser_id", "country", "province"),
    )

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def public_contact(self) -> str:
        """The contact address to show publicly: only with the person's consent."""
        return self.contact_email if self.contact_consent else ""
