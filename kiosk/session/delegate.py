"""Coordinator methods that are one call into a collaborator, declared instead of written out.

``SessionController`` keeps the public methods screens and tests call (``choose_service``, ``staff_pin_digit``…)
while the work lives in one collaborator per concern. Where such a method only passes its arguments on,
the controller declares it::

    choose_service = Delegate("services", ServiceFlows.choose)

Reading ``controller.choose_service`` gives the collaborator's bound method, looked up at call time (so a
collaborator replaced or patched in a test is the one called). The parameters and return type are those of
the collaborator's method (``ParamSpec``), so callers stay type-checked.
"""
from __future__ import annotations

from typing import Any, Callable, Concatenate, Generic, ParamSpec, TypeVar, overload

C = TypeVar("C")
P = ParamSpec("P")
R = TypeVar("R")


class Delegate(Generic[C, P, R]):
    """A class attribute standing for ``getattr(self, collaborator).<method>``; see the module docstring."""

    def __init__(self, collaborator: str, method: Callable[Concatenate[C, P], R]) -> None:
        self.collaborator = collaborator
        self.method = method
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, owner_obj: None, owner: type | None = None) -> Delegate[C, P, R]: ...

    @overload
    def __get__(self, owner_obj: object, owner: type | None = None) -> Callable[P, R]: ...

    def __get__(self, owner_obj: object | None, owner: type | None = None) -> Any:
        if owner_obj is None:
            return self
        return getattr(getattr(owner_obj, self.collaborator), self.method.__name__)
