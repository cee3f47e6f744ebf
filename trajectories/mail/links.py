"""Signed links for one recipient (the feedback questions in a coaching mail, the evaluation):
a token naming the participant and a subject (a session, an edition), signed with the app's
secret and a purpose (the salt: one purpose's token never opens another's page), timestamped
so the page can refuse an old one. Nothing is stored for a token.

In a mail rendered once for many (`render.render_shared`), the token stands in as a marker
(`stand_in`); the drain puts each recipient's own token in (`render.put_in`) when it sends. A
coordinator reading the mail in the outbox sees a placeholder, never a working link: with
someone's link one could read and change their anonymous answer.
"""

from __future__ import annotations

import re

from itsdangerous import URLSafeTimedSerializer

#: What a coordinator's copy of a mail shows in place of a recipient's own link.
PLACEHOLDER = "persoonlijke-link"


def serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"trajectories.feedback-{purpose}")


def make_token(secret_key: str, purpose: str, participant_id: int, subject_id: int) -> str:
    return serializer(secret_key, purpose).dumps([participant_id, subject_id])


def stand_in(marker: str, purpose: str, subject_id: int) -> str:
    """The marker that stands in for a recipient's token in a shared body."""
    return f"{marker}t{purpose}.{subject_id}~"


def put_in_tokens(text: str, marker: str, secret_key: str | None,
                  participant_id: int | None) -> str:
    """`text` with each stand-in replaced by the recipient's token (or, without a secret or a
    recipient, by PLACEHOLDER)."""
    if marker + "t" not in text:
        return text

    def token(match: re.Match) -> str:
        if secret_key is None or participant_id is None:
            return PLACEHOLDER
        return make_token(secret_key, match.group(1), participant_id, int(match.group(2)))

    return re.sub(re.escape(marker) + r"t([a-z]+)\.(\d+)~", token, text)
