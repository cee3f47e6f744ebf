"""The audit log: who changed what, when (the `event_log` rows of the visible organisers), each
row one sentence in the coordinator's language with links to the objects it names. An object
deleted since is named without a link; an event kind without a sentence of its own still reads
as a sentence naming its edition."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from trajectories.accounts.models import Coordinator
from trajectories.catalogue import queries as catalogue
from trajectories.catalogue.models import Edition, Track
from trajectories.core import queries as log
from trajectories.core.models import EventRecord
from trajectories.people.models import Participant
from trajectories.schedule.models import Deadline, Meeting
from trajectories.web import db_session, whole_number
from trajectories.web.coordinator import access
from trajectories.web.coordinator.blueprint import bp

PAGE = 50
#: How far back a coordinator's page looks (older events stay in the table).
WINDOW = 5000

#: One sentence per event kind; %(edition)s, %(track)s, %(meeting)s, %(deadline)s,
#: %(participant)s, %(coordinator)s and %(province)s become the object's name, linked where it
#: still exists.
SENTENCES = {
    "TrackSaved": lambda: _("Leertraject opgeslagen: %(track)s."),
    "EditionSaved": lambda: _("Editie opgeslagen: %(edition)s."),
    "MeetingPlanned": lambda: _("Sessie gepland: %(meeting)s (%(edition)s)."),
    "MeetingChanged": lambda: _("Sessie gewijzigd: %(meeting)s (%(edition)s)."),
    "MeetingRescheduled": lambda: _("Sessie verplaatst: %(meeting)s (%(edition)s)."),
    "MeetingCancelled": lambda: _("Sessie geannuleerd: %(meeting)s (%(edition)s)."),
    "DeadlineSet": lambda: _("Deadline vastgelegd: %(deadline)s (%(edition)s)."),
    "DeadlineRemoved": lambda: _("Deadline verwijderd: %(deadline)s (%(edition)s)."),
    "DeadlineExtended": lambda: _("Deadline verlengd voor %(participant)s: %(deadline)s "
                                  "(%(edition)s)."),
    "EnrollmentApplied": lambda: _("%(participant)s schreef zich in voor %(edition)s."),
    "EnrollmentAdmitted": lambda: _("%(participant)s toegelaten tot %(edition)s."),
    "EnrollmentWaitlisted": lambda: _("%(participant)s op de wachtlijst gezet voor "
                                      "%(edition)s."),
    "EnrollmentWithdrawn": lambda: _("%(participant)s afgemeld voor %(edition)s."),
    "SubmissionReceived": lambda: _("%(participant)s leverde in: %(deadline)s (%(edition)s)."),
    "AttendanceRecorded": lambda: _("Aanwezigheid vastgelegd: %(meeting)s (%(edition)s)."),
    "ParticipantChanged": lambda: _("Gegevens van %(participant)s gewijzigd."),
    "MailSettingsChanged": lambda: _("Mailinstellingen gewijzigd: %(edition)s."),
    "MailRetried": lambda: _("Een mislukte mail opnieuw in de wachtrij gezet (%(edition)s)."),
    "PasswordResetRequested": lambda: _("Nieuw wachtwoord aangevraagd voor %(coordinator)s."),
    "EvaluationQuestionAdded": lambda: _("Evaluatievraag toegevoegd (%(edition)s)."),
    "EvaluationQuestionRemoved": lambda: _("Evaluatievraag verwijderd (%(edition)s)."),
    "EmbedOriginsChanged": lambda: _("Websites die de catalogus mogen insluiten gewijzigd."),
    "CompletionRulesSaved": lambda: _("Afrondingsregels opgeslagen: %(edition)s."),
    "CompletionApplied": lambda: _("Afrondingsregels toegepast: %(edition)s."),
    "CompletionOverridden": lambda: _("Coördinator besliste over de afronding van "
                                      "%(participant)s (%(edition)s)."),
    "CertificateRevoked": lambda: _("Deelnamebewijs van %(participant)s ingetrokken "
                                    "(%(edition)s)."),
    "CheckedIn": lambda: _("%(participant)s checkte in: %(meeting)s (%(edition)s)."),
    "AwardRoundSaved": lambda: _("Prijsronde aangemaakt."),
    "NominationSubmitted": lambda: _("Nominatie ingediend voor %(edition)s."),
    "AwardJudged": lambda: _("Prijs: jury, scores, shortlist, winnaar of publicatie bijgewerkt."),
    "AmbassadorAppointed": lambda: _("Ambassadeur benoemd voor %(province)s."),
    "AmbassadorChanged": lambda: _("Gegevens van de ambassadeur voor %(province)s gewijzigd."),
    "LendableObjectSaved": lambda: _("Uitleenobject opgeslagen."),
    "LoanRequested": lambda: _("Een gemeente vroeg een uitlening aan."),
    "LoanDecided": lambda: _("Coördinator of gemeente besliste over een uitlening."),
    "AmbassadorEnded": lambda: _("Einddatum gezet voor de ambassadeur voor %(province)s."),
}
#: Sentences with a count (ngettext fills in %(num)s and leaves %(edition)s for later).
COUNTED = {
    "MailReleased": lambda n: ngettext("%(num)s mail van %(edition)s vrijgegeven.",
                                       "%(num)s mails van %(edition)s vrijgegeven.", n,
                                       edition="%(edition)s"),
    "OneOffMessageQueued": lambda n: ngettext(
        "Bericht aan %(edition)s klaargezet voor %(num)s ontvanger.",
        "Bericht aan %(edition)s klaargezet voor %(num)s ontvangers.", n,
        edition="%(edition)s"),
}


@bp.get("/logboek")
def logbook():
    s = db_session()
    page = max(whole_number(request.args.get("pagina")) or 1, 1)
    ids = access.organiser_ids()
    records = log.latest_records(s, WINDOW)
    if ids is not None:
        tracks, editions = catalogue.owned_ids(s, ids)
        records = [r for r in records if _belongs(r.payload, ids, tracks, editions)]
    shown = records[(page - 1) * PAGE: page * PAGE]
    story = _Story(s, shown)
    rows = [(r, story.who(r.actor), story.sentence(r)) for r in shown]
    return render_template("coordinator/logbook.html", rows=rows, page=page,
                           more=len(records) > page * PAGE)


def _belongs(payload: dict, organisers, tracks, editions) -> bool:
    return (payload.get("organiser_id") in organisers or payload.get("track_id") in tracks
            or payload.get("edition_id") in editions)


def _ids(records, key: str) -> set[int]:
    return {r.payload[key] for r in records if isinstance(r.payload.get(key), int)}


def _actor_id(actor: str | None, kind: str) -> int | None:
    prefix = kind + ":"
    if actor and actor.startswith(prefix) and actor[len(prefix):].isdigit():
        return int(actor[len(prefix):])
    return None


def _link(href: str, text: str) -> Markup:
    return Markup('<a class="utrecht-link" href="{}">{}</a>').format(href, text)


class _Story:
    """The objects the shown events name, read in one query per kind."""

    def __init__(self, s, records) -> None:
        def load(model, ids):
            return log.by_id(s, model, ids)

        self.editions = load(Edition, _ids(records, "edition_id"))
        self.tracks = load(Track, _ids(records, "track_id")
                           | {c.track_id for c in self.editions.values()})
        self.meetings = load(Meeting, _ids(records, "meeting_id"))
        self.deadlines = load(Deadline, _ids(records, "deadline_id"))
        people = _ids(records, "participant_id") | {
            i for r in records if (i := _actor_id(r.actor, "participant")) is not None}
        self.participants = load(Participant, people)
        coordinators = _ids(records, "coordinator_id") | {
            i for r in records if (i := _actor_id(r.actor, "coordinator")) is not None}
        self.coordinators = load(Coordinator, coordinators)
        #: Titles the events themselves carry (a removed deadline's), for objects gone since.
        self.titles = {(key, r.payload[key]): r.payload["title"] for r in records
                       for key in ("meeting_id", "deadline_id", "track_id")
                       if r.payload.get(key) and r.payload.get("title")}

    def who(self, actor: str | None) -> str:
        if actor is None:
            return "–"
        if (i := _actor_id(actor, "coordinator")) is not None:
            person = self.coordinators.get(i)
            return person.name if person else _("een verwijderde coördinator")
        if (i := _actor_id(actor, "participant")) is not None:
            person = self.participants.get(i)
            return _("deelnemer %(name)s", name=person.name) if person else \
                _("een verwijderde deelnemer")
        return {"scheduler": _("de planner"), "cli": _("de opdrachtregel"),
                "demo": _("de demo")}.get(actor, actor)

    def _edition(self, p: dict) -> Markup:
        edition = self.editions.get(p.get("edition_id"))
        if edition is not None:
            track = self.tracks.get(edition.track_id)
            name = f"{track.title}, {edition.name}" if track else edition.name
            return _link(url_for("coordinator.edition", edition_id=edition.id), name)
        if p.get("track_slug") and p.get("edition_slug"):
            return escape(f"{p['track_slug']}/{p['edition_slug']}")
        return escape(_("een verwijderde editie"))

    def _gone(self, p: dict, key: str, unknown: str) -> Markup:
        """An object deleted since: its name without a link, when an event kept it."""
        return escape(self.titles.get((key, p.get(key))) or unknown)

    def _names(self, p: dict) -> dict[str, Markup]:
        track = self.tracks.get(p.get("track_id"))
        meeting = self.meetings.get(p.get("meeting_id"))
        deadline = self.deadlines.get(p.get("deadline_id"))
        person = self.participants.get(p.get("participant_id"))
        coordinator = self.coordinators.get(p.get("coordinator_id"))
        edition_id = p.get("edition_id")
        return {
            "edition": self._edition(p),
            "track": _link(url_for("coordinator.track", track_id=track.id), track.title)
            if track else self._gone(p, "track_id", _("een verwijderd leertraject")),
            "meeting": _link(url_for("coordinator.edit_meeting", meeting_id=meeting.id),
                             meeting.title)
            if meeting else self._gone(p, "meeting_id", _("een verwijderde sessie")),
            "deadline": _link(url_for("coordinator.deliverables", deadline_id=deadline.id),
                              deadline.title)
            if deadline else self._gone(p, "deadline_id", _("een verwijderde deadline")),
            "participant": (_link(url_for("coordinator.enrollments", edition_id=edition_id,
                                          zoek=person.name), person.name)
                            if edition_id in self.editions else escape(person.name))
            if person else escape(_("een verwijderde deelnemer")),
            "coordinator": escape(coordinator.name) if coordinator
            else escape(_("een verwijderde coördinator")),
            "province": escape(p.get("province") or ""),
        }

    def sentence(self, record: EventRecord) -> Markup:
        p = record.payload
        names = self._names(p)
        if record.name in COUNTED and isinstance(p.get("count"), int):
            text = COUNTED[record.name](p["count"])
        elif record.name in SENTENCES:
            text = SENTENCES[record.name]()
        elif "edition_id" in p or "edition_slug" in p:
            text = _("Iets veranderd in %(edition)s (%(kind)s).")
        else:
            text = _("Iets veranderd (%(kind)s).")
        # The sentence comes from our own catalogue; every name in it is escaped.
        return Markup(escape(text)) % {**names, "kind": record.name}
