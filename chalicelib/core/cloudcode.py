"""Cloud Code: Python functions an app developer registers, invoked as `/services/{service}/{method}`.

A service is a module `chalicelib/cloudcode/<service>.py`; each function decorated with
`@method` is callable. The function receives an `Invocation` (the app, the caller's user or
None, the arguments and the app's data as that caller sees it) and returns any JSON value.
Raising `CloudCodeError(code, message)` sends that Backendless error back; any other
exception becomes a 400 error naming the service, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import CoreError

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_REGISTRY: dict[tuple[str, str], Callable[[Invocation], Any]] = {}


class CloudCodeError(CoreError):
    """Raised by cloud code on purpose: `code` and `message` reach the client as they are."""

    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass
class Invocation:
    app: Any  # core.tenancy.App
    user: dict[str, Any] | None  # the caller (an app user), when a user-token was sent
    args: Any  # the JSON body
    data: Any  # core.data.AppData bound to the caller


def method(fn: Callable[[Invocation], Any]) -> Callable[[Invocation], Any]:
    """Register `fn` as a method of the service named by its module (`chalicelib.cloudcode.<service>`)."""
    service = fn.__module__.rsplit(".", 1)[-1]
    _REGISTRY[(service.lower(), fn.__name__.lower())] = fn
    return fn


def lookup(service: str, name: str) -> Callable[[Invocation], Any] | None:
    return _REGISTRY.get((service.lower(), name.lower()))


def names(service: str) -> list[str]:
    """The registered functions of a service (its module imported), sorted: Parse lists jobs by name."""
    return sorted(fn.__name__ for (svc, _), fn in _REGISTRY.items() if svc == service.lower())
