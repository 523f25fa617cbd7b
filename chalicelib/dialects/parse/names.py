"""Parse class names <-> core collections as the schemas list them, and the spelling registry.

The mapping itself is objects.py's (`collection`: `GameScore` is `gamescores`, `_User` is `users`).
The class registry (core/classes.py) keeps the spelling a class was first declared or written
with, so `/schemas` lists `GameScore`, not `gamescores`; a collection no Parse client named (a
Usergrid `items`) is listed under its collection name, which maps back to itself.
"""

from __future__ import annotations

from typing import Any

from ...bootstrap import services
from .errors import ParseError
from .objects import SYSTEM
from .objects import collection as class_collection

BY_COLLECTION = {v: k for k, v in SYSTEM.items()}

__all__ = ["check_types", "class_collection", "class_name_of", "remember"]
INCORRECT_TYPE = 111


def class_name_of(collection: str, registered: str | None = None) -> str:
    """The Parse name of a collection: a system class, the spelling it was registered with, or itself."""
    if collection in BY_COLLECTION:
        return BY_COLLECTION[collection]
    try:
        if registered and registered not in SYSTEM and class_collection(registered) == collection:
            return registered
    except ParseError:
        pass
    return collection


def remember(app: str, class_name: str) -> None:
    """Call on every write naming a class: the registry keeps the first spelling (free once known)."""
    if class_name not in SYSTEM:
        services().classes.name(app, class_collection(class_name), class_name)


def check_types(app: str, class_name: str, collection: str, fields: dict[str, Any]) -> None:
    """Parse: once a field has a type, every later save must match it (111). Free: the registry is cached.
    Only Parse writes are held to it; other dialects stay schemaless and their values keep the first type."""
    bad = services().classes.mismatches(app, collection, fields)
    if bad:
        name, expected, got = bad[0]
        raise ParseError(INCORRECT_TYPE, f"schema mismatch for {class_name}.{name}; expected {expected} but got {got}")
