"""Parse class names <-> core collections, one rule for every Parse route.

A class is the core collection `collection_key(className)` (lower-case plural: `GameScore` is
`gamescores`, the collection a Usergrid or BEA client reaches under that name too). Parse's
system classes map to the core's own collections where the core has them (`_User` = `users`,
`_Role` = `roles`) and to `parse-*` collections otherwise. The registry (core/classes.py) keeps
the spelling a class was first declared or written with, so `/schemas` lists `GameScore`, not
`gamescores`; a collection no Parse client named is listed under its collection name.
"""

from __future__ import annotations

import re

from ...bootstrap import services
from ...core.entities import collection_key
from ..parselike import errors as pe
from .errors import ParseError

SYSTEM = {"_User": "users", "_Role": "roles", "_Session": "parse-sessions", "_Installation": "parse-installations",
          "_JobStatus": "parse-jobstatus", "_PushStatus": "parse-pushstatus", "_Audience": "parse-audiences",
          "_JobSchedule": "parse-jobschedules"}
BY_COLLECTION = {v: k for k, v in SYSTEM.items()}
CLASS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def class_collection(class_name: str) -> str:
    """The collection of a class; 103 for a name Parse would refuse."""
    if class_name in SYSTEM:
        return SYSTEM[class_name]
    if not isinstance(class_name, str) or not CLASS_RE.match(class_name):
        raise ParseError(pe.INVALID_CLASS_NAME, f"Invalid classname: {class_name}, classnames can only have "
                         "alphanumeric characters and _, and must start with an alpha character ")
    coll = collection_key(class_name)
    if coll in ("users", "roles", "groups") or coll.startswith("parse-"):
        raise ParseError(pe.INVALID_CLASS_NAME, f"Invalid classname: {class_name}: use the system class instead")
    return coll


def class_name_of(collection: str, registered: str | None = None) -> str:
    """The Parse name of a collection: a system class, the spelling it was registered with, or itself."""
    if collection in BY_COLLECTION:
        return BY_COLLECTION[collection]
    if registered and registered in SYSTEM:
        return collection
    try:
        if registered and class_collection(registered) == collection:
            return registered
    except ParseError:
        pass
    return collection


def remember(app: str, class_name: str) -> None:
    """Call on every write naming a class: the registry keeps the first spelling (free once known)."""
    if class_name not in SYSTEM:
        services().classes.name(app, class_collection(class_name), class_name)
