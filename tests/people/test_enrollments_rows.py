"""The enrollments table, whose rows are built in Python for speed: names escaped, each row
linked to its participant and municipality, colleagues of one municipality together."""

from __future__ import annotations

import re

from tests import factories
from trajectories.people import services as people


def test_rows_are_escaped_linked_and_grouped_by_municipality(nl, session, coordinator_world):
    town = factories.municipality(session, name="'s-Hertogenbosch", code="GM0796")
    for name in ("Jan <b>de Vries</b> & co", "Anna Bos"):
        people.enroll(session, coordinator_world.edition_nl,
                      factories.participant(session, name=name, organisation_id=town.id))
    session.commit()
    html = nl.get(f"/beheer/edities/{coordinator_world.edition_nl.id}/inschrijvingen"
                  ).get_data(as_text=True)
    assert "<b>de Vries" not in html
    assert "Jan &lt;b&gt;de Vries&lt;/b&gt; &amp; co</a>" in html
    assert f'href="/beheer/gemeenten/{town.id}">&#39;s-Hertogenbosch</a>' in html
    team = re.search(r'scope="rowgroup"><a class="utrecht-link" href="/beheer/gemeenten/\d+">'
                     r'&#39;s-Hertogenbosch</a> · 2 deelnemers</th></tr>(.*?)</tbody>', html, re.S)
    assert team and team.group(1).index("Anna Bos") < team.group(1).index("Jan &lt;b&gt;")
    assert re.search(r'<span class="status status-\w+">[^<]+</span></td>\s*'
                     r'<td class="utrecht-table__cell">\d\d-\d\d-\d{4} \d\d:\d\d</td>', html)
