"""The Menukaart's services: what becomes public and when, the mail links, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tests import factories
from tests.menukaart.helpers import example_data, last_token, proposal_data
from trajectories.core.clock import utcnow
from trajectories.core.errors import InvalidInput
from trajectories.mail.models import OutboxMessage
from trajectories.menukaart import proposals, queries, services
from trajectories.menukaart.models import Example, ExampleFile, ExampleStatus
from trajectories.people import services as people
from trajectories.people.models import Organisation, Participant


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


@pytest.fixture
def vng(session):
    return factories.organiser(session, slug="vng", name="VNG", country="NL")


def public_ids(session) -> list[int]:
    session.expire_all()
    return [e.id for e, _o in queries.search(session, queries.Filters())]


def test_a_coordinators_example_is_a_draft_until_published(ctx, session, vng):
    example = services.create_example(session, vng, example_data())
    assert example.status == ExampleStatus.DRAFT
    assert public_ids(session) == []
    services.publish(session, example)
    assert public_ids(session) == [example.id]
    utrecht = session.get(Organisation, example.organisation_id)
    assert (utrecht.name, utrecht.province) == ("Utrecht", "Utrecht")
    assert queries.published_examples(session, province="Utrecht") == [example]
    assert queries.published_examples(session, province="Gelderland") == []
    services.unpublish(session, example)
    assert public_ids(session) == []


def test_bad_input_names_every_field_and_stores_nothing(ctx, session, vng):
    with pytest.raises(InvalidInput) as refused:
        services.create_example(session, vng, example_data(
            municipality="GM9999", title="", sdgs=["18"], year="1800",
            links="ftp://example.org\nhttps://ok.example", contact_email="geen-adres"))
    assert set(refused.value.errors) == {"municipality", "title", "sdgs", "year", "links",
                                         "contact_email"}
    assert "Kies de gemeente uit de lijst." in refused.value.errors["municipality"]
    assert session.exec(select(Example)).all() == []


def _submission(session, vng, with_municipality=True):
    track = factories.track(session, vng, slug="inclusie", title="Inclusie", sdgs=[10],
                            theme="Inclusie")
    edition = factories.edition(session, track)
    from trajectories.schedule import services as schedule

    deadline = schedule.set_deadline(session, edition, title="Plan van aanpak",
                                     due_date=utcnow().date() + timedelta(days=5))
    organisation = people.create_organisation(session, name="Zwolle", kind="municipality",
                                              country="NL", code="GM0193") \
        if with_municipality else None
    person = factories.participant(session, name="Sara Smit", email="sara@zwolle.example",
                                   organisation_id=organisation.id if organisation else None)
    people.enroll(session, edition, person)
    return people.submit(session, deadline, person, text="Wij maakten een inclusieagenda.")


def test_from_a_submission_nothing_is_public_without_consent(ctx, session, vng):
    example = services.from_submission(session, _submission(session, vng))
    assert (example.status, example.sdgs, example.theme) == ("draft", [10], "Inclusie")
    assert example.contact_consent is False
    with pytest.raises(InvalidInput, match="nog geen toestemming"):
        services.publish(session, example)
    services.request_consent(session, example, "sara@zwolle.example")
    assert example.status == ExampleStatus.AWAITING_CONSENT
    with pytest.raises(InvalidInput):
        services.publish(session, example)
    assert public_ids(session) == []
    token = last_token(session, "toestemming")
    services.answer_consent(session, token, agree=True, show_contact=False)
    assert public_ids(session) == [example.id]
    session.refresh(example)
    assert example.contact_consent is False  # consent to publish is not consent to show names
    with pytest.raises(InvalidInput, match="al gebruikt"):  # single use
        services.answer_consent(session, token, agree=True, show_contact=True)


def test_consent_refused_or_edited_after_the_request_keeps_it_private(ctx, session, vng):
    submission = _submission(session, vng)
    example = services.from_submission(session, submission)
    assert services.from_submission(session, submission).id == example.id  # made once
    services.request_consent(session, example, "sara@zwolle.example")
    old = last_token(session, "toestemming")
    services.update_example(session, example, example_data(municipality="GM0193",
                                                            title="Nieuwe titel"))
    assert example.status == ExampleStatus.DRAFT
    with pytest.raises(InvalidInput):  # consent asked for the old text: that link is dead
        services.answer_consent(session, old, agree=True, show_contact=True)
    services.request_consent(session, example, "sara@zwolle.example")
    services.answer_consent(session, last_token(session, "toestemming"), agree=False,
                            show_contact=True)
    session.refresh(example)
    assert example.status == ExampleStatus.REJECTED
    with pytest.raises(InvalidInput):
        services.publish(session, example)
    assert public_ids(session) == []


def test_a_submission_without_a_municipality_is_refused(ctx, session, vng):
    with pytest.raises(InvalidInput, match="niet bij een gemeente"):
        services.from_submission(session, _submission(session, vng, with_municipality=False))
    assert session.exec(select(Example)).all() == []


def test_proposal_unconfirmed_is_not_in_the_review_list(ctx, session, vng):
    example = proposals.request_proposal(session, proposal_data())
    assert queries.review_list(session, None) == []
    assert queries.for_coordinator(session, None) == []
    assert public_ids(session) == []
    with pytest.raises(InvalidInput, match="nog niet bevestigd"):
        services.publish(session, example)
    with pytest.raises(InvalidInput):
        proposals.confirm_proposal(session, "niet-geldig-maar-lang-genoeg-1234567890")
    proposals.confirm_proposal(session, last_token(session, "bevestigen"))
    assert [e.id for e, _o in queries.review_list(session, None)] == [example.id]
    assert public_ids(session) == []  # reviewed first
    services.publish(session, example)
    assert public_ids(session) == [example.id]


def test_reject_needs_a_reason(ctx, session, vng):
    example = proposals.request_proposal(session, proposal_data())
    proposals.confirm_proposal(session, last_token(session, "bevestigen"))
    with pytest.raises(InvalidInput, match="verplicht"):
        services.reject(session, example, "  ")
    services.reject(session, example, "Dit is geen gemeentelijk project.")
    assert example.status == ExampleStatus.REJECTED
    outcome = session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == "public_mk_outcome")).one()
    assert outcome.to == "piet@zwolle.example"
    assert "Dit is geen gemeentelijk project." in outcome.text
    assert queries.review_list(session, None) == [] and public_ids(session) == []


def test_an_expired_proposal_link_is_refused_and_the_draft_goes(ctx, session, vng):
    example = proposals.request_proposal(session, proposal_data())
    token = last_token(session, "bevestigen")
    example.token_expires_at = utcnow() - timedelta(minutes=1)
    session.add(example)
    session.commit()
    with pytest.raises(InvalidInput, match="verlopen"):
        proposals.confirm_proposal(session, token)
    proposals.request_proposal(session, proposal_data(email="ander@zwolle.example"))
    session.expire_all()
    assert [e.requested_from for e in session.exec(select(Example))] == ["ander@zwolle.example"]


def test_proposal_with_bad_input_names_the_forms_fields(ctx, session, vng):
    with pytest.raises(InvalidInput) as refused:
        proposals.request_proposal(session, proposal_data(email="x", name="", municipality=""))
    assert {"email", "name", "municipality"} <= set(refused.value.errors)
    assert session.exec(select(Example)).all() == []


def test_files_are_checked_and_removed_with_the_example(ctx, session, vng):
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    example = services.create_example(session, vng, example_data())
    with pytest.raises(InvalidInput, match="past niet"):
        services.add_file(session, example, FileStorage(BytesIO(b"<html>"), "rapport.pdf"))
    row = services.add_file(session, example, FileStorage(BytesIO(b"%PDF-1.4 x"), "rapport.pdf"))
    assert [f.file_name for f in queries.files_of(session, example.id)] == ["rapport.pdf"]
    services.remove_file(session, row)
    assert session.exec(select(ExampleFile)).all() == []


def test_erasing_a_person_takes_their_name_off_examples(ctx, session, vng):
    from trajectories.people import privacy

    example = services.from_submission(session, _submission(session, vng))
    person = session.exec(select(Participant).where(
        Participant.email == "sara@zwolle.example")).one()
    privacy.erase(session, person)
    session.refresh(example)
    assert (example.contact_name, example.contact_email, example.requested_from) == ("", "", "")
    assert example.submission_id is None  # the submission itself is gone
