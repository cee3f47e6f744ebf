"""Completion reacting to other features' events, after their change committed (wired in
`trajectories.app.SUBSCRIPTIONS`)."""

from __future__ import annotations

from trajectories.completion.services import revoke_erased
from trajectories.people.models import Participant
from trajectories.people.registration import is_erased


def on_participant_changed(event, db) -> None:
    """An erased participant's certificates are revoked: their verification pages deny them."""
    if db is None:
        return
    with db.begin(actor="completion") as session:
        participant = session.get(Participant, event.participant_id)
        if participant is not None and is_erased(participant):
            revoke_erased(session, participant.id)
