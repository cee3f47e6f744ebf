"""The application factory, and the one list of what each domain event sets off."""

from __future__ import annotations

from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel

import trajectories.schema  # noqa: F401  (every table)
from trajectories.accounts import events as accounts
from trajectories.ambassadors import events as ambassadors
from trajectories.api import events as api
from trajectories.award import events as award
from trajectories.catalogue import events as catalogue
from trajectories.commands import COMMANDS
from trajectories.completion import events as completion
from trajectories.completion import handlers as completion_handlers
from trajectories.core import events
from trajectories.core.clock import configure_clock
from trajectories.core.config import PROJECT_ROOT, ConfigError, Settings, load_settings
from trajectories.core.db import Database
from trajectories.core.logs import configure_logging, log_requests
from trajectories.feedback import events as feedback
from trajectories.feeds import handlers as feeds
from trajectories.feeds import preferences as personal_feeds
from trajectories.feeds import publish as feed_files
from trajectories.feeds import requests as publication_requests  # noqa: F401  (its listener)
from trajectories.interest import events as interest
from trajectories.interest import handlers as interest_list
from trajectories.lending import events as lending
from trajectories.mail import events as mail
from trajectories.menukaart import events as menukaart
from trajectories.people import events as people
from trajectories.reach import events as reach
from trajectories.schedule import events as schedule
from trajectories.scheduler import handlers as plan
from trajectories.web.site import register_blueprints, template_helpers

babel = Babel()
LANGUAGES = ("nl", "en")

#: An edition's calendars: its feed files, and this process's feed cache at once.
EDITION_FEEDS = (feed_files.republish_edition, feeds.forget_recent_feeds)

#: Who acts on each event after the transaction that recorded it commits, in this order: the
#: public feed files (`feed_files`), this process's feed cache (`feeds`), the scheduler's plan and
#: queued mail (`plan`). An event missing here and from AUDIT_ONLY fails tests/test_wiring.py.
SUBSCRIPTIONS: events.Subscriptions = {
    catalogue.TrackSaved: (feed_files.republish_track, feeds.forget_recent_feeds),
    catalogue.EditionSaved: (*EDITION_FEEDS, plan.on_edition_saved,
                             interest_list.on_edition_changed),
    catalogue.EditionPublished: (*EDITION_FEEDS, plan.on_edition_published,
                                 interest_list.on_edition_changed),
    schedule.MeetingPlanned: (*EDITION_FEEDS, plan.on_meeting_planned),
    schedule.MeetingChanged: (*EDITION_FEEDS, plan.on_meeting_changed),
    schedule.MeetingRescheduled: (*EDITION_FEEDS, plan.on_meeting_changed),
    schedule.MeetingCancelled: (*EDITION_FEEDS, plan.on_meeting_cancelled),
    schedule.DeadlineSet: (*EDITION_FEEDS, plan.on_deadline_changed),
    schedule.DeadlineRemoved: (*EDITION_FEEDS, plan.on_deadline_changed),
    schedule.DeadlineExtended: (*EDITION_FEEDS, plan.on_deadline_changed),
    people.EnrollmentApplied: (feeds.forget_recent_feeds,),
    people.EnrollmentAdmitted: (feeds.forget_recent_feeds, plan.on_admitted),
    people.EnrollmentWaitlisted: (feeds.forget_recent_feeds,),
    people.EnrollmentWithdrawn: (feeds.forget_recent_feeds, plan.on_withdrawn),
    people.SubmissionReceived: (feeds.forget_recent_feeds, plan.on_submission),
    people.ParticipantChanged: (personal_feeds.touch_personal_feed, feeds.forget_recent_feeds,
                                completion_handlers.on_participant_changed),
    # Reminder and nudge days, send hour, coaching delay: the edition's plan changes.
    mail.MailSettingsChanged: (plan.on_edition_saved,),
}

#: Events recorded for the audit log (the coordinators' logbook) only: what they announce is
#: already done in the transaction that records them, and nothing else depends on it.
AUDIT_ONLY: tuple[type[events.Event], ...] = (
    accounts.PasswordResetRequested,  # the reset mail is queued in the same transaction
    api.EmbedOriginsChanged,  # the embed page reads the origins on every request
    people.AttendanceRecorded,  # the digest reads attendance when it is sent: nothing to re-plan
    mail.MailReleased,  # the rows are queued again; the scheduler's drain sends them
    mail.MailRetried,  # likewise, one row
    mail.OneOffMessageQueued,  # fanned out into the outbox in the same transaction
    reach.MunicipalitiesImported,  # the reference and the organisations changed in place
    # The evaluation's questions are read when its page opens: nothing to re-plan.
    feedback.EvaluationQuestionAdded,
    feedback.EvaluationQuestionRemoved,
    interest.InterestConfirmed,  # an edition open or opening is announced in the same transaction
    interest.InterestLeft,  # its unsent announcements are withdrawn in the same transaction
    # The Menukaart's pages read the examples on every request; its mails are queued in the
    # same transaction.
    menukaart.ExampleSaved,
    menukaart.ExampleStatusChanged,
    # Completion: statuses, certificates and their mails are written in the same transaction;
    # the personal feeds show admitted and completed alike, so no feed changes.
    completion.CompletionRulesSaved,  # read when the completion moment fires
    completion.CompletionApplied,
    completion.CompletionOverridden,
    completion.CertificateRevoked,
    completion.CheckedIn,  # attendance, like AttendanceRecorded
    # Lending: mails queued and reminders planned in the same transaction; the object's page
    # and feed read the loans on every request.
    lending.LendableObjectSaved,
    lending.LoanRequested,
    lending.LoanDecided,
    # The award: its edition and deadline record their own events (feeds, nudges); the round,
    # the hand-in's mark, the jury's work and publication are read when their pages open.
    award.AwardRoundSaved,
    award.NominationSubmitted,
    award.AwardJudged,
    # Ambassadors: the province pages read them on every request.
    ambassadors.AmbassadorAppointed,
    ambassadors.AmbassadorChanged,
    ambassadors.AmbassadorEnded,
)


def select_locale() -> str:
    """Dutch unless the visitor chose English with the language switch; Dutch outside a request
    (the scheduler, the command line), where a mail names its language with `force_locale`."""
    if not has_request_context():
        return "nl"
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in LANGUAGES else "nl"


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config`: lower-case keys override settings (`database_url=...`),
    upper-case keys go into Flask's config (`TESTING=True`)."""
    config = dict(config or {})
    flask_config = {k: v for k, v in config.items() if k.isupper()}
    settings: Settings = load_settings(**{k: v for k, v in config.items() if not k.isupper()})
    try:  # TRAJECTORIES_CLOCK_START / _SPEED: this process on its own clock (trajectories.clock)
        configure_clock()
    except ValueError as exc:
        raise ConfigError(str(exc)) from None

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SETTINGS=settings,
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "trajectories" / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
    )
    app.config.update(flask_config)
    configure_logging(json_lines=settings.production)

    app.extensions["trajectories.db"] = Database(settings.database_url)
    babel.init_app(app, locale_selector=select_locale)

    events.connect(SUBSCRIPTIONS)

    register_blueprints(app)
    template_helpers(app)
    log_requests(app)

    # The same commands as `trajectories ...` under `flask --app wsgi ...` and the test CLI runner.
    for command in COMMANDS:
        app.cli.add_command(command)

    @app.teardown_appcontext
    def _close_db_session(_exc):
        db_session = g.pop("db_session", None)
        if db_session is not None:
            db_session.close()

    return app
