"""The controller's declared delegations (kiosk/session/delegate.py): each public name reaches the method of the
collaborator it names, looked up when called."""
from __future__ import annotations

from kiosk.session.controller import SessionController
from kiosk.session.delegate import Delegate

from session_fakes import make


def _delegations() -> dict[str, Delegate]:
    return {name: d for name, d in vars(SessionController).items() if isinstance(d, Delegate)}


def test_every_delegation_is_the_named_collaborators_own_method():
    ctl, _, _ = make()
    delegations = _delegations()
    assert {"choose_service", "staff_pin_digit", "on_scan", "refresh_handoff"} <= set(delegations)
    for name, d in delegations.items():
        bound = getattr(ctl, name)
        assert bound.__self__ is getattr(ctl, d.collaborator), name
        assert bound.__func__ is d.method, name
        assert getattr(type(bound.__self__), d.method.__name__) is d.method, name


def test_a_collaborator_replaced_after_construction_is_the_one_called():
    ctl, _, _ = make()
    calls = []

    class Recorder:
        def choose(self, service_id: str) -> None:
            calls.append(service_id)

    ctl.services = Recorder()
    ctl.choose_service("queue-ticket")
    assert calls == ["queue-ticket"]


def test_the_class_attribute_is_the_declaration_with_the_collaborators_docstring():
    d = SessionController.__dict__["start_identify"]
    assert SessionController.start_identify is d
    assert d.__doc__ == d.method.__doc__
