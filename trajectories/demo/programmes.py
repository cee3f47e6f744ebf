"""The demo programmes as data, from the source documents in ../shared/seeds/.

The inclusion pilot 2021 is as its brochure describes it; times the brochure does not give are
"to be announced"; it is history: five municipalities from five provinces, attendance recorded,
four texts delivered. A track gets only the status its source gives: Duurzaam aankoopbeleid runs
and is open for registration ("Dit traject loopt momenteel: ... inschrijven"), Ethisch bankieren
and Wereldburgerschap are over ("afgerond"); Migratie, Participatie and Alternatieve
samenwerking have no edition (the source gives no status), so their pages offer the interest list.
Everything the sources do not give (dates, session titles, the pilot's second edition,
YoungChallengers' edition, regions) is marked "voorbeeld" (EXAMPLE). Dates are placed relative
to today, so that registration is open and reminders are live whenever the demo is loaded.
`trajectories.demo.loader` writes them; the regional meetings are in `trajectories.demo.regional`.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from trajectories.catalogue.models import Eligibility, PlaceUnit
from trajectories.demo.regional import regional_meetings
from trajectories.schedule.models import DeliveredBy, MeetingKind, MeetingMode

AMS, BXL = "Europe/Amsterdam", "Europe/Brussels"

#: What marks a detail the sources do not give (a session's description, an edition's name).
EXAMPLE = "Voorbeeld: datum en invulling zijn verzonnen voor de demo; de bron geeft ze niet."

ORGANISERS = [
    dict(slug="vng", name="VNG — Gemeenten4GlobalGoals", country="NL",
         email="globalgoals@vng.nl", website="https://www.vng.nl/gemeenten4globalgoals"),
    dict(slug="vvsg", name="VVSG — Lokaal Mondiaal Beleid", country="BE",
         email="mondiaal@vvsg.be", website="https://www.vvsg.be"),
]

COORDINATORS = [
    dict(email="coordinator@vng.example", name="Maria van der Harst (demo)", organiser="vng"),
    dict(email="coordinator@vvsg.example", name="Jules De Winter (demo)", organiser="vvsg"),
]

#: The contact of most VVSG tracks.
VVSG_CONTACT = dict(contact_name="Jules De Winter", contact_email="jules.dewinter@vvsg.be")

#: Name | email | role | code of the municipality they work for (loaded with them).
PARTICIPANTS = [tuple(cell.strip() for cell in line.split("|")) for line in """
Sanne Bakker     | s.bakker@noordenveld.example   | Beleidsadviseur sociaal domein | GM1699
Joris de Vries   | j.devries@utrecht.example      | Programmamanager inclusie      | GM0344
Fatima El Amrani | f.elamrani@zwolle.example      | Beleidsmedewerker Global Goals | GM0193
Pieter Hendriks  | p.hendriks@tilburg.example     | Adviseur participatie          | GM0855
Lotte Mulder     | l.mulder@groningen.example     | Beleidsadviseur duurzaamheid   | GM0014
Daan Visser      | d.visser@almere.example        | Trainee (YoungChallenger)      | GM0034
Eline Peeters    | eline.peeters@gent.example     | Aankoper                       | 44021
Wout Janssens    | wout.janssens@leuven.example   | Mondiaal ambtenaar             | 24062
Nora Maes        | nora.maes@mechelen.example     | Duurzaamheidsambtenaar         | 12025
Lucas Claes      | lucas.claes@kortrijk.example   | Financieel directeur           | 34022
Amira Haddad     | amira.haddad@antwerpen.example | Participatieambtenaar          | 11002
Bram Wouters     | bram.wouters@genk.example      | Mondiaal ambtenaar             | 71016
""".strip().splitlines()]

#: The participants' municipalities, each loaded as an organisation.
MUNICIPALITIES = [code for *_, code in PARTICIPANTS]


def _session(title, day, start=None, end=None, **extra):
    return dict(title=title, on_date=day, start=start, end=end, **extra)


def _example(title, day, start=None, end=None, **extra):
    """A session the sources do not date: its description says it is an example."""
    return _session(title, day, start, end, description=EXAMPLE, **extra)


#: The "meer informatie" of the pilot's brochure (the last page names documents without an
#: address: those link to the campaign's page, and say so).
PILOT_LINKS = [
    ("Iedereen Doet Mee! (VNG)", "https://www.vng.nl/iedereen-doet-mee"),
    ("Gemeenten4GlobalGoals (VNG)", "https://www.vng.nl/gemeenten4globalgoals"),
    *((f"{title} (voorbeeldlink: de brochure geeft geen adres)",
       "https://www.vng.nl/gemeenten4globalgoals") for title in (
        "Handreiking Global Goals in het gemeentelijk beleid",
        "Handreiking Lokale Inclusie Agenda van Iedereen Doet Mee!",
        "Praktijkvoorbeeld: Gemeente Noordenveld koppelt Lokale Inclusie Agenda aan Global Goals",
        "SDG 10 Alliantie: Ongelijkheid verminderen",
        "Verenigde Naties over SDGs and Disability")),
]


def _presentation(title: str) -> tuple[str, str]:
    """A past VVSG session's presentation, which the source says is on the track's page (the
    address is the organiser's site: an example link)."""
    return (f"Presentatie: {title} (voorbeeldlink)", "https://www.vvsg.be")


def _relative(today: date, days: int) -> date:
    """A weekday `days` from today (sessions do not fall on weekends)."""
    day = today + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def programmes(today: date) -> list[dict]:
    t1330, t1530 = time(13, 30), time(15, 30)
    r = lambda d: _relative(today, d)  # noqa: E731
    pilot_common = dict(
        slug="praktijkproef-inclusie",
        title="Praktijkproef Global Goals & lokale inclusie",
        summary=("Een praktijkproef over de koppeling tussen de Global Goals en lokale inclusie, "
                 "van Gemeenten4GlobalGoals en Iedereen Doet Mee!: vijf online sessies van zo'n "
                 "twee uur, met zo'n vijf deelnemende gemeenten, en een publicatie waarin de "
                 "deelnemende gemeenten als goed voorbeeld staan."),
        goals=("Gemeenten helpen lokaal invulling te geven aan inclusie vanuit de Global Goals "
               "agenda; leren van elkaar en van good practices van buitenlandse gemeenten; "
               "coaching bij het ontwikkelen van lokale plannen zoals een Lokale Inclusie Agenda."),
        target_group="Gemeenten. Deelname is uitsluitend bedoeld voor gemeenten.",
        theme="Inclusie", sdgs=[1, 10, 11, 16, 17],
        contact_name="Gemeenten4GlobalGoals", contact_email="GlobalGoals@VNG.nl",
    )
    pilot_sessions = [
        ("Sessie 1: kennismaking en bepalen van wensen en ambitie", None),
        ("Sessie 2: inspiratiesessie met praktijkvoorbeelden uit buitenlandse gemeenten", None),
        ("Sessie 3: werksessie Global Goals & lokale inclusieplannen", None),
        ("Sessie 4: werksessie Global Goals & lokale inclusieplannen", None),
        ("Sessie 5: afronding van teksten en bespreking prototype handreiking", None),
    ]
    deliverable = dict(title="Opleveren tekst (best practice) over het GG & inclusieplan van "
                             "jouw gemeente", delivered_by=DeliveredBy.ORGANISATION,
                       description="Een tekst over het Global Goals & inclusieplan van je "
                                   "gemeente, voor de publicatie.")
    congress = "Eindcongres Iedereen Doet Mee! met lancering handreiking Global Goals & lokale inclusie"
    return [
        dict(organiser="vng", track=pilot_common, editions=[
            # "About five municipalities": a place is a municipality, with its team.
            dict(slug="2021", name="2021", timezone=AMS, capacity=5,
                 place_unit=PlaceUnit.ORGANISATION, eligibility=Eligibility.MUNICIPALITIES,
                 registration=(date(2021, 2, 1), date(2021, 4, 12)),
                 coordinator_email="GlobalGoals@VNG.nl",
                 sessions=[
                     _session(pilot_sessions[0][0], date(2021, 4, 13), t1330, t1530,
                              materials=PILOT_LINKS),
                     _session(pilot_sessions[1][0], date(2021, 4, 29)),
                     _session(pilot_sessions[2][0], date(2021, 5, 27)),
                     _session(pilot_sessions[3][0], date(2021, 6, 24)),
                     _session(pilot_sessions[4][0], date(2021, 9, 16)),
                     _session(congress, date(2021, 10, 7), kind=MeetingKind.CONGRESS,
                              mode=MeetingMode.ON_SITE),
                 ],
                 deadlines=[dict(due_date=date(2021, 8, 15), **deliverable)],
                 enroll=["s.bakker@noordenveld.example", "j.devries@utrecht.example",
                         "f.elamrani@zwolle.example", "p.hendriks@tilburg.example",
                         "l.mulder@groningen.example"],
                 submitted=["s.bakker@noordenveld.example", "j.devries@utrecht.example",
                            "f.elamrani@zwolle.example", "l.mulder@groningen.example"],
                 # Who missed which session (by number, from 0); the rest were there.
                 absent={"p.hendriks@tilburg.example": [2, 4],
                         "j.devries@utrecht.example": [3]}),
            dict(slug="tweede-editie", name="Tweede editie (voorbeeld)", timezone=AMS, capacity=5,
                 place_unit=PlaceUnit.ORGANISATION, eligibility=Eligibility.MUNICIPALITIES, coordinator_email="GlobalGoals@VNG.nl",
                 registration=(r(-14), r(9)),
                 sessions=[
                     _example(pilot_sessions[0][0], r(10), t1330, t1530),
                     _example(pilot_sessions[1][0], r(31), t1330, t1530),
                     _example(pilot_sessions[2][0], r(59), t1330, t1530),
                     _example(pilot_sessions[3][0], r(87), t1330, t1530),
                     _example(pilot_sessions[4][0], r(129), t1330, t1530),
                     _example(congress, r(157), time(10, 0), time(16, 0),
                              kind=MeetingKind.CONGRESS, mode=MeetingMode.ON_SITE,
                              location="Utrecht"),
                 ],
                 deadlines=[dict(due_date=r(115), **deliverable)],
                 enroll=["s.bakker@noordenveld.example", "p.hendriks@tilburg.example"],
                 submitted=[]),
        ]),
        dict(organiser="vng", track=dict(
            slug="youngchallengers", title="YoungChallengers",
            summary=("Een actiegericht leertraject met masterclasses voor jonge gemeenteambtenaren "
                     "die de Global Goals intern tot leven brengen, en elkaar prikkelen en "
                     "stimuleren."),
            goals="De Global Goals-agenda in je eigen gemeente op gang brengen, met een actieplan.",
            target_group="Jonge ambtenaren van Nederlandse gemeenten.",
            theme="Global Goals", sdgs=list(range(1, 18)),
            contact_name="Maria van der Harst", contact_email="maria.vanderharst@vng.nl"),
            editions=[dict(slug="2027", name="2027 (voorbeeld)", timezone=AMS, capacity=30,
                          eligibility=Eligibility.MUNICIPALITIES,
                          coordinator_email="maria.vanderharst@vng.nl",
                          registration=(r(-30), r(16)),
                          sessions=[
                              _example("Masterclass 1: de Global Goals in je gemeente", r(17),
                                       time(14), time(17), kind=MeetingKind.MASTERCLASS,
                                       mode=MeetingMode.ON_SITE, location="VNG, Den Haag"),
                              _example("Masterclass 2: van ambitie naar actieplan", r(45),
                                       time(14), time(17), kind=MeetingKind.MASTERCLASS),
                              _example("Masterclass 3: collega's en bestuur meekrijgen", r(73),
                                       time(14), time(17), kind=MeetingKind.MASTERCLASS),
                              _example("Masterclass 4: presentatie van de actieplannen", r(101),
                                       time(14), time(17), kind=MeetingKind.MASTERCLASS,
                                       mode=MeetingMode.HYBRID, location="Utrecht"),
                          ],
                          deadlines=[dict(title="Actieplan Global Goals voor je gemeente",
                                          due_date=r(90))],
                          enroll=["d.visser@almere.example", "l.mulder@groningen.example"],
                          submitted=[])]),
        dict(organiser="vvsg", track=dict(
            slug="duurzaam-aankoopbeleid", title="Duurzaam aankoopbeleid",
            summary=("Samen met het Steunpunt Duurzame Overheidsopdrachten werken we aan de "
                     "strategische verankering van duurzaamheid in de gemeentelijke "
                     "aankoopprocedures. In 4 sessies leggen we voor 4 productgroepen uit hoe je "
                     "bestekken duurzaam, sociaal rechtvaardig en kostenefficiënt maakt. De rode "
                     "draad is circulariteit."),
            goals="Duurzaamheid strategisch verankeren in de aankoopprocedures van je bestuur.",
            target_group="Aankopers en mondiale ambtenaren van Vlaamse lokale besturen.",
            theme="Duurzame overheidsopdrachten", sdgs=[8, 12, 13],
            **VVSG_CONTACT),
            editions=[dict(slug="2026", name="2026-2027", timezone=BXL, capacity=25,
                          eligibility=Eligibility.PUBLIC_BODIES,
                          coordinator_email="jules.dewinter@vvsg.be",
                          # Running, and open for registration (the source says both).
                          registration=(r(-120), r(45)),
                          sessions=[
                              _example("Sociaal verantwoorde werkkledij", r(-45), time(9, 30),
                                       time(12, 30), mode=MeetingMode.ON_SITE,
                                       location="VVSG, Brussel",
                                       materials=[_presentation(
                                           "sociaal verantwoorde werkkledij")]),
                              _example("Duurzame voeding & catering", r(-17), time(9, 30),
                                       time(12, 30), mode=MeetingMode.ON_SITE,
                                       location="VVSG, Brussel",
                                       materials=[_presentation("duurzame voeding & catering")]),
                              _example("ICT-hardware: circulair aankopen", r(24), time(9, 30),
                                       time(12, 30)),
                              _example("Bouwen en renoveren: circulaire bestekken", r(52),
                                       time(9, 30), time(12, 30), mode=MeetingMode.HYBRID,
                                       location="VVSG, Brussel"),
                          ],
                          deadlines=[dict(title="Duurzaam bestek voor één productgroep",
                                          due_date=r(66))],
                          enroll=["eline.peeters@gent.example", "nora.maes@mechelen.example",
                                  "wout.janssens@leuven.example"],
                          submitted=[])]),
        _vvsg_finished("ethisch-bankieren", "Ethisch bankieren",
                       "Hoe ga je als gemeente duurzaam om met je financiën? Hoe stimuleer je "
                       "burgers om bewust te beleggen? Samen met FairFin vzw en Forum Ethibel "
                       "reiken we concrete handvaten aan om werk te maken van ethisch bankieren.",
                       "Financieel directeurs en mondiale ambtenaren.", [8, 10, 12, 17],
                       "Financiën", date(2019, 3, 14)),
        dict(organiser="vvsg", track=dict(
            slug="migratie-integratie-ontwikkeling", title="Migratie, integratie en ontwikkeling",
            summary=("Drie domeinen die met elkaar verband houden: hoe slaat een stad of gemeente "
                     "een link tussen deze domeinen? Welke rol spelen diaspora- en "
                     "migrantenorganisaties en hoe bereik je hen?"),
            target_group="Ambtenaren mondiaal beleid en integratie.", theme="Migratie",
            sdgs=[10, 16, 17], contact_name="Hanne Albers", contact_email="hanne.albers@vvsg.be"),
            # The source gives no status: no edition, the interest list instead.
            editions=[], interest=["wout.janssens@leuven.example", "bram.wouters@genk.example"]),
        _vvsg_finished("wereldburgerschap", "Wereldburgerschap",
                       "Wat is wereldburgerschapseducatie? Wie speelt mee? Wat is de rol van een "
                       "lokaal bestuur, en hoe promoot een stad of gemeente wereldburgerschap?",
                       "Mondiale ambtenaren en schepenen.", [4, 16, 17], "Wereldburgerschap",
                       date(2019, 10, 3)),
        dict(organiser="vvsg", track=dict(
            slug="participatie", title="Participatie",
            summary=("Op de brug van oud naar nieuw. Inspraak en participatie zijn nodig voor een "
                     "sterk en gedragen beleid, maar hoe doe je dat, wanneer en rond welke "
                     "thema's? Welke rol spelen de adviesraden nog?"),
            target_group="Ambtenaren en schepenen van Vlaamse lokale besturen.",
            theme="Participatie", sdgs=[11, 16],
            **VVSG_CONTACT),
            # The source gives no status: no edition, the interest list instead.
            editions=[], interest=["amira.haddad@antwerpen.example"]),
        # The source gives no status: no edition, the interest list instead.
        dict(organiser="vvsg", track=dict(
            slug="alternatieve-samenwerking",
            title="Alternatieve vormen van gemeentelijke internationale samenwerking",
            summary=("We kennen allemaal de klassieke stedenband, maar welke andere vormen van "
                     "internationale gemeentelijke samenwerking bestaan er, ook zonder veel geld "
                     "en tijd?"), target_group="Mondiale ambtenaren.",
            theme="Internationale samenwerking", sdgs=[17], **VVSG_CONTACT),
            editions=[], interest=["nora.maes@mechelen.example"]),
        *regional_meetings(today),
    ]


def _vvsg_finished(slug, title, summary, target_group, sdgs, theme, first: date) -> dict:
    """A VVSG track whose only edition is over ("Dit traject is afgerond"); its year and sessions
    are examples, and Ethisch bankieren's source names presentations."""
    return dict(organiser="vvsg", track=dict(
        slug=slug, title=title, summary=summary, target_group=target_group, theme=theme,
        sdgs=sdgs, **VVSG_CONTACT),
        editions=[dict(slug=str(first.year), name=f"{first.year} (voorbeeld)", timezone=BXL,
                      eligibility=Eligibility.PUBLIC_BODIES,
                      coordinator_email="jules.dewinter@vvsg.be",
                      registration=(first - timedelta(days=60), first - timedelta(days=7)),
                      sessions=[_example(f"{title}: sessie {n + 1}", first + timedelta(weeks=5 * n),
                                         time(13, 30), time(16, 30),
                                         materials=[_presentation(f"{title}, sessie {n + 1}")]
                                         if slug == "ethisch-bankieren" else [])
                                for n in range(3)],
                      deadlines=[], enroll=["lucas.claes@kortrijk.example"]
                      if slug == "ethisch-bankieren" else [], submitted=[])])
