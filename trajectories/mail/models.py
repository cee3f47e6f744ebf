"""Tables of the mail area: the outbox, participants' mail preferences, per-edition settings."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

from trajectories.core.clock import utcnow
from trajectories.core.models import Labelled, check_in


class MailStatus(Labelled):
    #: Waiting for the drain (at or after next_attempt_at).
    QUEUED = "queued", _l("in de wachtrij")
    #: Claimed by a drain; released after a lease timeout if it died.
    SENDING = "sending", _l("wordt verstuurd")
    SENT = "sent", _l("verstuurd")
    #: Permanent refusal or the last attempt used up.
    FAILED = "failed", _l("mislukt")
    #: Waits for a coordinator (edition on hold, or review step).
    HELD = "held", _l("vastgehouden")


class MailKind(Labelled):
    """What a mail is about. The outbox also holds answers to a person's own action, kinds
    "public_*" outside this enumeration (web/coordinator/messages.py labels those)."""

    WELCOME = "welcome", _l("welkom")
    #: A session invitation (iMIP REQUEST).
    INVITATION = "invitation", _l("uitnodiging")
    #: A session moved or changed (iMIP REQUEST, higher SEQUENCE).
    UPDATE = "update", _l("wijziging")
    #: A session cancelled (iMIP CANCEL).
    CANCELLATION = "cancellation", _l("afzegging")
    REMINDER = "reminder", _l("herinnering aan een sessie")
    NUDGE = "nudge", _l("herinnering aan een deadline")
    OVERDUE = "overdue", _l("deadline verstreken")
    COACHING = "coaching", _l("coaching")
    #: To the coordinator, not to participants.
    DIGEST = "digest", _l("weekoverzicht")
    #: A one-off message from a coordinator to an edition.
    ANNOUNCEMENT = "announcement", _l("bericht aan de editie")
    OTHER = "other", _l("bericht")
    #: The evaluation at the end of an edition, and its one reminder.
    EVALUATION = "evaluation", _l("evaluatie")
    #: "Registration is open" to a track's interest list (one per edition and person).
    INTEREST = "interest", _l("inschrijving open (interesselijst)")
    #: The certificate of participation, when completion is decided.
    CERTIFICATE = "certificate", _l("deelnamebewijs")
    #: A reminder of a loan's hand-over or return day (lending).
    LOAN = "loan", _l("herinnering aan een uitlening")


#: What a participant can switch off, and which mail kinds each switch covers: every mail that
#: is not a direct answer to the person's own action (those are the "public_*" kinds).
PREFERENCE_KINDS: dict[str, tuple[str, ...]] = {
    "welcome": (MailKind.WELCOME,),
    "invitation": (MailKind.INVITATION, MailKind.UPDATE, MailKind.CANCELLATION),
    "reminder": (MailKind.REMINDER,),
    "nudge": (MailKind.NUDGE, MailKind.OVERDUE),
    "coaching": (MailKind.COACHING,),
    "announcement": (MailKind.ANNOUNCEMENT,),
    "evaluation": (MailKind.EVALUATION,),
    "certificate": (MailKind.CERTIFICATE,),
    "loan": (MailKind.LOAN,),
}


def preference_kind(mail_kind: str) -> str | None:
    """The switch that covers a mail kind; None for mails a participant cannot switch off."""
    for preference, kinds in PREFERENCE_KINDS.items():
        if mail_kind in kinds:
            return preference
    return None


class MailBody(SQLModel, table=True):
    """The text of a fan-out's mail in one language, stored once for all its recipients: the
    outbox rows point here, and the drain puts in each recipient's name (`marker` + "n") and
    unsubscribe link (`marker` + "l"). The marker is random per body, so no typed text meets it."""

    __tablename__ = "mail_body"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=300)
    #: The text and HTML with the markers in place of name and link.
    text: str
    html: str = ""
    marker: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    """One mail to one recipient: a row before it is a message, so it is never lost."""

    __tablename__ = "mail_outbox"

    id: int | None = Field(default=None, primary_key=True)
    #: Recipient address.
    to: str = Field(max_length=254)
    #: The recipient's name as the mail greets them (mails with a shared `body_id`).
    to_name: str = Field(default="", max_length=200)
    #: A MailKind value.
    kind: str = Field(max_length=20)
    subject: str = Field(max_length=300)
    #: Text and HTML of a mail of its own; empty when `body_id` names the shared text
    #: (read a row's mail with `render.content`).
    text: str
    html: str = ""
    body_id: int | None = Field(default=None, foreign_key="mail_body.id", index=True)
    #: Optional iCalendar text (iMIP), sent as a text/calendar alternative part.
    calendar: str | None = None
    #: METHOD of `calendar` (REQUEST, CANCEL), repeated as the MIME parameter.
    calendar_method: str | None = Field(default=None, max_length=20)
    #: The Message-ID header, unique and stable across retries ("<...@trajectories>").
    message_id: str = Field(max_length=200, unique=True)
    #: (kind, subject of the mail, recipient, occurrence): queuing the same mail twice queues it once.
    dedupe_key: str = Field(max_length=300, unique=True)
    #: Kept (SET NULL) when the edition or person is deleted: the row stays as a record.
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True,
                                       ondelete="SET NULL")
    edition_id: int | None = Field(default=None, foreign_key="edition.id", index=True,
                                  ondelete="SET NULL")
    status: str = Field(default=MailStatus.QUEUED, max_length=10)
    attempts: int = 0
    #: Not before this moment (backoff after a temporary failure).
    next_attempt_at: datetime = Field(default_factory=utcnow)
    #: When a drain claimed the row (status sending); the lease runs from here.
    claimed_at: datetime | None = None
    #: Which process claimed it: "host:pid".
    claimed_by: str = Field(default="", max_length=120)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None

    __table_args__ = (
        CheckConstraint(check_in("status", MailStatus), name="mail_outbox_status"),
        CheckConstraint("attempts >= 0", name="mail_outbox_attempts"),
        Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),
        # Room in each page, so a sent mail's `sent_at` is updated in place (migration 0014).
        {"postgresql_with": {"fillfactor": 70}},
    )


class MailPreference(SQLModel, table=True):
    """A participant's choice for one kind of mail (no row: enabled)."""

    __tablename__ = "mail_preference"

    participant_id: int = Field(foreign_key="participant.id", primary_key=True,
                                ondelete="CASCADE")
    #: A key of PREFERENCE_KINDS.
    kind: str = Field(max_length=20, primary_key=True)
    enabled: bool = True
    updated_at: datetime = Field(default_factory=utcnow)


#: Defaults for an edition without a settings row.
DEFAULT_REMINDER_DAYS = [7, 1]
#: Days before the due date (negative: after it, the overdue nudge).
DEFAULT_NUDGE_DAYS = [14, 3, 0, -2]
DEFAULT_SEND_HOUR = 9
#: Monday (ISO weekday 1).
DEFAULT_DIGEST_WEEKDAY = 1


class EditionMailSettings(SQLModel, table=True):
    """What an edition sends and when, as data a coordinator can change."""

    __tablename__ = "edition_mail_settings"

    edition_id: int = Field(foreign_key="edition.id", primary_key=True, ondelete="CASCADE")
    #: Hold every mail of this edition (status held) until released.
    hold: bool = False
    #: Coaching mails wait for a coordinator's review (status held) before they go.
    review_coaching: bool = False
    #: Session reminders, days before the start.
    reminder_days: list[int] = Field(default_factory=lambda: list(DEFAULT_REMINDER_DAYS),
                                     sa_column=Column(JSON, nullable=False))
    #: Deadline nudges, days before the due date; negative numbers are days after it (overdue).
    nudge_days: list[int] = Field(default_factory=lambda: list(DEFAULT_NUDGE_DAYS),
                                  sa_column=Column(JSON, nullable=False))
    #: Local hour (edition's zone) at which nudges and the digest go out.
    send_hour: int = DEFAULT_SEND_HOUR
    #: ISO weekday of the coordinator digest (1 = Monday); None: no digest.
    digest_weekday: int | None = DEFAULT_DIGEST_WEEKDAY
    #: Hours after a session's end at which the coaching mail goes; None: no coaching mail.
    coaching_delay_hours: int | None = 2
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint("send_hour >= 0 AND send_hour <= 23", name="cohort_mail_send_hour"),
        CheckConstraint("digest_weekday IS NULL OR (digest_weekday >= 1 AND digest_weekday <= 7)",
                        name="cohort_mail_digest_weekday"),
    )


def settings_for(session, edition_id: int) -> EditionMailSettings:
    """The edition's settings, or the defaults (not stored) when it has none."""
    return session.get(EditionMailSettings, edition_id) or EditionMailSettings(edition_id=edition_id)
