"""Every enumeration shown to people has one home for its words: each member carries a Dutch
label, and the English catalogue translates it. A member added without a label, or a label
without its English, fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale
from flask_babel.speaklater import LazyString

import trajectories.catalogue.status
import trajectories.mail.models
import trajectories.people.models
import trajectories.schedule.models  # noqa: F401  (the modules that define labelled enums)
from tests.web.test_english import compiled_catalogue  # noqa: F401  (autouse: compiles the .mo)
from trajectories.core.models import Labelled, choices, label, labels
from trajectories.people.models import ACTIVE, ENROLLED, TAKING_PART, EnrollmentStatus
from trajectories.schedule.models import MeetingMode

PO_FILE = (Path(__file__).resolve().parents[2]
           / "trajectories" / "translations" / "en" / "LC_MESSAGES" / "messages.po")

#: The enumerations people see. One dropped from Labelled (back to a plain StrEnum) fails.
SHOWN = {"EnrollmentStatus", "OrganisationKind", "MeetingKind", "MeetingMode", "MeetingStatus",
         "DeliveredBy", "Eligibility", "Status", "MailStatus", "MailKind"}


def _members():
    return [member for enum in Labelled.__subclasses__() for member in enum]


def _msgid(member) -> str:
    # A LazyString keeps the text it will translate as its first argument.
    return member.label._args[0]


def test_every_enum_shown_to_people_is_labelled():
    assert {enum.__name__ for enum in Labelled.__subclasses__()} >= SHOWN


def test_a_member_without_words_is_refused():
    with pytest.raises(TypeError):
        class Broken(Labelled):
            ONE = "one"


@pytest.mark.parametrize("member", _members(), ids=lambda m: f"{type(m).__name__}.{m.name}")
def test_every_member_has_dutch_and_english_words(member):
    assert isinstance(member.label, LazyString)
    dutch = _msgid(member)
    assert dutch.strip()
    with PO_FILE.open("rb") as po:
        entry = read_po(po).get(dutch)
    assert entry is not None and entry.string.strip(), f"no English for {dutch!r} in the .po"


def test_labels_follow_the_language(app):
    with app.test_request_context("/"):
        with force_locale("nl"):
            assert str(label("waitlisted", "EnrollmentStatus")) == "wachtlijst"
            assert labels("Status")["running"] == "loopt"
            assert render_template_string(
                "{{ 'cancelled' | label('MeetingStatus') }}") == "geannuleerd"
        with force_locale("en"):
            assert str(label("waitlisted", "EnrollmentStatus")) == "waiting list"
            assert labels("Status")["running"] == "in progress"
            assert render_template_string(
                "{{ 'on_site' | label('MeetingMode') }}") == "on site"
            assert render_template_string(
                "{{ enum_labels('Status')['upcoming'] }}") == "coming soon"
            assert [str(words) for _, words in choices(MeetingMode)] == [
                "Online", "On site", "Hybrid"]


def test_who_takes_part():
    assert set(TAKING_PART) == {EnrollmentStatus.ADMITTED, EnrollmentStatus.COMPLETED}
    assert set(ACTIVE) == {EnrollmentStatus.APPLIED, EnrollmentStatus.ADMITTED,
                           EnrollmentStatus.WAITLISTED}
    assert set(ENROLLED) == set(EnrollmentStatus) - {EnrollmentStatus.WITHDRAWN}
