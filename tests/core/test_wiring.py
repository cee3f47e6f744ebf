"""Every domain event is wired: `SUBSCRIPTIONS` in `trajectories.app` handles it, or `AUDIT_ONLY`
says it is only for the audit log. An event nobody handles by oversight (MailSettingsChanged once
changed the reminder days without re-planning a thing) fails here, and so does a subscription to an
event that no code records."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import trajectories
from trajectories.app import AUDIT_ONLY, SUBSCRIPTIONS
from trajectories.core.events import Event
from trajectories.mail.events import MailSettingsChanged
from trajectories.scheduler import handlers as plan

PACKAGE = Path(next(iter(trajectories.__path__)))
FEATURES = ("accounts", "ambassadors", "api", "award", "catalogue", "completion", "feedback",
            "interest", "lending", "mail", "menukaart", "people", "reach", "schedule")


def _sources() -> dict[str, ast.Module]:
    return {".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts):
            ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted(PACKAGE.rglob("*.py"))}


SOURCES = _sources()



def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def event_classes() -> set[type[Event]]:
    """Every Event subclass the package defines: modules with a class deriving from `Event` (or
    `events.Event`) are imported, then Python says which subclasses exist."""
    for module, tree in SOURCES.items():
        if any(isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", getattr(base, "attr", None)) == "Event" for base in node.bases)
               for node in ast.walk(tree)):
            importlib.import_module(module)
    return {cls for cls in _subclasses(Event) if cls.__module__.startswith("trajectories.")}


def _used_names() -> set[str]:
    """Every name the package uses as a value outside the wiring (`trajectories.app`) and the
    `events` modules: `EditionSaved(...)`, `events.EditionSaved(...)`, or a class picked from a
    table and then constructed (`people.services._set_status`). An event that no code outside
    those uses is never recorded."""
    return {node.id if isinstance(node, ast.Name) else node.attr
            for module, tree in SOURCES.items()
            if module != "trajectories.app" and not module.endswith(".events")
            for node in ast.walk(tree)
            if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load)}


USED = _used_names()


def unwired(classes, subscriptions, audit_only) -> list[str]:
    return sorted(cls.__name__ for cls in classes
                  if not subscriptions.get(cls) and cls not in audit_only)


def test_every_event_has_a_handler_or_is_audit_only():
    assert unwired(event_classes(), SUBSCRIPTIONS, AUDIT_ONLY) == [], (
        "wire these events in SUBSCRIPTIONS (trajectories/app.py), or list them in AUDIT_ONLY "
        "with the reason nothing needs to happen")


def test_the_check_catches_an_event_without_a_subscriber():
    """The historic bug: MailSettingsChanged recorded, handled by nobody."""
    without = {event: handlers for event, handlers in SUBSCRIPTIONS.items()
               if event is not MailSettingsChanged}
    assert unwired(event_classes(), without, AUDIT_ONLY) == ["MailSettingsChanged"]


def test_changed_mail_settings_re_plan_the_edition():
    assert plan.on_edition_saved in SUBSCRIPTIONS[MailSettingsChanged]


def test_audit_only_events_have_no_handlers():
    assert [cls.__name__ for cls in AUDIT_ONLY if cls in SUBSCRIPTIONS] == []
    assert len(set(AUDIT_ONLY)) == len(AUDIT_ONLY)


@pytest.mark.parametrize("event_type", sorted({*SUBSCRIPTIONS, *AUDIT_ONLY},
                                              key=lambda cls: cls.__name__),
                         ids=lambda cls: cls.__name__)
def test_every_wired_event_is_recorded_somewhere(event_type):
    assert event_type.__name__ in USED, (
        f"{event_type.__name__} is wired but no code records it: remove it from the list")


def test_every_handler_is_a_plain_function_listed_once_per_event():
    for event_type, handlers in SUBSCRIPTIONS.items():
        assert isinstance(handlers, tuple), event_type
        assert handlers and len(set(handlers)) == len(handlers), event_type
        assert all(callable(handler) for handler in handlers), event_type


def test_every_event_lives_in_a_features_events_module():
    homes = {f"trajectories.{feature}.events" for feature in FEATURES}
    assert sorted(f"{cls.__module__}.{cls.__name__}" for cls in event_classes()
                  if cls.__module__ not in homes) == []
