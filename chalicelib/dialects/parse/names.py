"""Parse class names <-> core collections as the schemas list them, and the spelling registry.

The mapping itself is objects.py's (`collection`: `GameScore` is `gamescores`, `_User` is `users`).
The class registry (core/classes.py) keeps the spelling a class was first declared or written
with, so `/schemas` lists `GameScore`, not `gamescores`; a collection no Parse client named (a
Usergrid `items`) is listed under its collection name, which maps back to itself.
"""

from __future__ import annotations

from ...bootstrap import services
from .errors import ParseError
from .objects import SYSTEM
from .objects import collection as class_collection

BY_COLLECTION = {v: k for k, v in SYSTEM.items()}

__all__ = ["class_collection", "class_name_of", "remember"]


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
