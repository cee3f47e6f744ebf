import pytest

from tests.award.world import build


@pytest.fixture
def world(app, session):
    """The award's small world, inside the app (a nomination's mails render in its languages)."""
    with app.app_context():
        yield build(session)
