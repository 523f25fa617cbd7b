"""The class registry: which fields each collection holds, with their types, as they were written.

Parse's schema of a class is "its fields as stored", and its Dashboard builds every screen from
it. Deriving that from the data would need a Scan (index partition keys cannot be listed), so
the registry is kept on write instead: every create and update through `AppData`, whatever the
dialect, reports the document it stored, and a field not seen before is added with the type of
its first value (Parse types: String, Number, Boolean, Date, Object, Array, GeoPoint, Polygon,
File, Bytes, Pointer<Class>, Relation<Class>). Fields and classes can also be declared ahead of
the data (`POST /parse/schemas`), and removed.

Storage: one document per app (`classes#<app>` in the tenants table, read with one GetItem,
changed by read + conditional put). Each container caches it for `CACHE_S`: a write whose fields
are all known costs nothing extra; a write with a new field pays one GetItem and one
conditional PutItem, once. A field removed elsewhere may be re-added by a container whose cache
is older than the removal, if it writes that field within `CACHE_S`.

Each class also records its spellings: every indexed path (nested ones too, as `indexing` names
them) that is not all lower case, under its lower-cased form. Usergrid's ql matches property
names in any case by reading each recorded spelling's index (core/casefold.py); the same
write-once cost applies (a new spelling: one GetItem and one conditional PutItem).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from . import indexing
from .errors import ConcurrencyExhausted, Conflict, InvalidInput, NotFound
from .ports import DocStore, VersionConflict

CACHE_S = 30.0
MAX_CLASSES = 500  # one DynamoDB item holds every class of an app (400 KB)
MAX_FIELDS = 500
# Mixed-case paths recorded (core/casefold.py), bounded so the app's one registry item keeps room: per
# collection, per path, and over the whole app (about twice this in bytes, as the key repeats the path).
# Past a bound, a path in a new mixed-case spelling is not found by ql conditions (README differences).
MAX_SPELLINGS = 100
MAX_SPELLING_CHARS = 64
MAX_SPELLING_BYTES = 40_000
SKIP = frozenset(("uuid", "type", "created", "modified", "metadata"))  # the core's own keys
TYPES = frozenset(("String", "Number", "Boolean", "Date", "Object", "Array", "GeoPoint", "Polygon", "File",
                   "Bytes", "Pointer", "Relation", "ACL"))
FIELD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,127}$")
Field = dict[str, str]  # {"type": "Pointer", "targetClass": "_User"}


def infer(value: Any) -> Field | None:
    """The Parse type of a stored value; None for null (a null says nothing about the field's type)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"type": "Boolean"}
    if isinstance(value, (int, float)):
        return {"type": "Number"}
    if isinstance(value, str):
        return {"type": "String"}
    if isinstance(value, list):
        return {"type": "Array"}
    if isinstance(value, dict):
        t = value.get("__type")
        if t in ("Pointer", "Relation") and isinstance(value.get("className"), str):
            return {"type": t, "targetClass": value["className"]}
        if t in ("Date", "GeoPoint", "Polygon", "File", "Bytes"):
            return {"type": t}
    return {"type": "Object"}


def check_field(name: Any, spec: Any) -> Field:
    """A declared field (`POST/PUT /schemas`), checked as Parse checks it."""
    if not isinstance(name, str) or not FIELD_RE.match(name):
        raise InvalidInput(f"invalid field name: {name}", code="field")
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        raise InvalidInput("invalid JSON", code="json")
    t = spec["type"]
    if t in ("Pointer", "Relation"):
        target = spec.get("targetClass")
        if not isinstance(target, str) or not target:
            raise InvalidInput(f"type {t} needs a class name", code="class")
        return {"type": t, "targetClass": target}
    if t not in TYPES or t == "ACL":
        raise InvalidInput(f"invalid field type: {t}", code="type")
    out: Field = {"type": t}
    return out


class ClassRegistry:
    def __init__(self, docs: DocStore, clock: Callable[[], float] = time.monotonic) -> None:
        self.docs = docs
        self.clock = clock
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    # -- reading --------------------------------------------------------------------------
    def classes(self, app: str, fresh: bool = False) -> dict[str, dict[str, Any]]:
        """collection -> {"className", "fields": {name: Field}, "indexes"}; fresh: no cache."""
        hit = self._cache.get(app)
        if hit and hit[0] > self.clock() and not fresh:
            return hit[1]
        got = self.docs.get(_key(app))
        doc = got[0].get("classes", {}) if got else {}
        with self._lock:
            if len(self._cache) > 1024:
                self._cache.clear()
            self._cache[app] = (self.clock() + CACHE_S, doc)
        return doc

    def get(self, app: str, collection: str, fresh: bool = True) -> dict[str, Any] | None:
        return self.classes(app, fresh).get(collection)

    def mismatches(self, app: str, collection: str, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        """(field, expected type, given type) for each value that contradicts the registered type."""
        known = (self.classes(app).get(collection) or {}).get("fields", {})
        out = []
        for name, value in doc.items():
            spec, got = known.get(name), infer(value)
            if spec and got and spec["type"] != got["type"] and not (spec["type"] == "Relation" and got["type"] == "Array"):
                out.append((name, _label(spec), _label(got)))
            elif spec and got and spec.get("targetClass") and got.get("targetClass") \
                    and spec["targetClass"] != got["targetClass"]:
                out.append((name, _label(spec), _label(got)))
        return out

    # -- the write hook -------------------------------------------------------------------
    def observe(self, app: str, collection: str, doc: dict[str, Any], class_name: str | None = None) -> None:
        """Register the fields of a stored document that the registry does not know yet, and the
        spellings of its indexed paths that are not all lower case (`spellings`)."""
        fields = {k: t for k, v in doc.items() if k not in SKIP and FIELD_RE.match(k) and (t := infer(v))}
        cased = cased_paths(doc)
        entry = self.classes(app).get(collection)
        spelled = (entry or {}).get("spellings") or {}
        if entry is not None and all(k in entry["fields"] for k in fields) and (
                all(p in spelled.get(p.lower(), ()) for p in cased) or not _room(self.classes(app), spelled)):
            return

        def change(classes: dict[str, Any]) -> bool:
            cur = classes.get(collection)
            if cur is None:
                if len(classes) >= MAX_CLASSES:
                    return False
                cur = classes[collection] = {"className": class_name or collection, "fields": {}, "indexes": {}}
            new = {k: t for k, t in fields.items() if k not in cur["fields"]}
            room = MAX_FIELDS - len(cur["fields"])
            cur["fields"].update(dict(list(new.items())[:max(room, 0)]))
            added = _add_spellings(classes, cur.setdefault("spellings", {}), cased)
            return bool(new) or added > 0 or entry is None

        self._change(app, change)

    def record_spellings(self, app: str, collection: str, paths: set[str]) -> int:
        """Record mixed-case paths found in a collection's stored documents (`cased_paths` of each),
        under the same bounds as `observe`; how many were new. The backfill of data written before
        spellings were recorded (core/spellings.py) calls it once per page: free when the cached
        registry holds every path, else one GetItem and one conditional PutItem (as `observe`)."""
        paths = {p for p in paths if p != p.lower() and len(p) <= MAX_SPELLING_CHARS}
        if not paths:
            return 0
        spelled = (self.classes(app).get(collection) or {}).get("spellings") or {}
        if all(p in spelled.get(p.lower(), ()) for p in paths) or not _room(self.classes(app), spelled):
            return 0
        added = 0

        def change(classes: dict[str, Any]) -> bool:
            nonlocal added
            cur = classes.get(collection)
            if cur is None:
                if len(classes) >= MAX_CLASSES:
                    return False
                cur = classes[collection] = {"className": collection, "fields": {}, "indexes": {}}
            added = _add_spellings(classes, cur.setdefault("spellings", {}), paths)
            return added > 0

        self._change(app, change)
        return added

    def spellings(self, app: str, collection: str) -> dict[str, list[str]]:
        """Lower-cased path -> the spellings stored in the collection that are not all lower case
        (`{"spec.size": ["Spec.Size"]}`): what a case-insensitive query reads (core/casefold.py)."""
        return dict((self.classes(app).get(collection) or {}).get("spellings") or {})

    def name(self, app: str, collection: str, class_name: str) -> None:
        """Remember how a client spells the class of a collection (Parse: `GameScore` for `gamescores`),
        unless another spelling was registered first. Free once the registry holds it (cached)."""
        entry = self.classes(app).get(collection)
        if entry is not None and entry.get("className") in (class_name, None) or class_name == collection:
            return
        if entry is not None and entry.get("className") != collection:
            return  # named already, by its first writer

        def change(classes: dict[str, Any]) -> bool:
            cur = classes.get(collection)
            if cur is None:
                if len(classes) >= MAX_CLASSES:
                    return False
                classes[collection] = {"className": class_name, "fields": {}, "indexes": {}}
                return True
            if cur.get("className") != collection:
                return False
            cur["className"] = class_name
            return True

        self._change(app, change)

    # -- declaring (schemas API) ----------------------------------------------------------
    def define(self, app: str, collection: str, class_name: str, fields: dict[str, Field],
               indexes: dict[str, Any] | None = None) -> dict[str, Any]:
        def change(classes: dict[str, Any]) -> bool:
            if collection in classes:
                raise Conflict(f"Class {class_name} already exists.", code="exists")
            if len(classes) >= MAX_CLASSES:
                raise InvalidInput(f"an app holds at most {MAX_CLASSES} classes")
            classes[collection] = {"className": class_name, "fields": dict(fields), "indexes": indexes or {}}
            return True

        return self._change(app, change)[collection]  # type: ignore[no-any-return]

    def alter(self, app: str, collection: str, add: dict[str, Field], remove: list[str],
              indexes: dict[str, Any] | None = None, class_name: str | None = None) -> dict[str, Any]:
        """Add and remove declared fields (Parse: an existing field cannot change type)."""
        def change(classes: dict[str, Any]) -> bool:
            cur = classes.get(collection)
            if cur is None:
                if class_name is None:
                    raise NotFound(f"Class {collection} does not exist.")
                cur = classes[collection] = {"className": class_name, "fields": {}, "indexes": {}}
            for name in remove:
                if name not in cur["fields"]:
                    raise InvalidInput(f"Field {name} does not exist, cannot delete.", code="field255")
            for name, spec in add.items():
                if name in cur["fields"] and cur["fields"][name] != spec:
                    raise InvalidInput(f"Field {name} exists, cannot update.", code="field255")
            for name in remove:
                cur["fields"].pop(name, None)
            cur["fields"].update(add)
            if len(cur["fields"]) > MAX_FIELDS:
                raise InvalidInput(f"a class holds at most {MAX_FIELDS} fields")
            if indexes is not None:
                cur["indexes"] = {**cur.get("indexes", {}), **indexes}
            return True

        return self._change(app, change)[collection]  # type: ignore[no-any-return]

    def drop(self, app: str, collection: str) -> None:
        def change(classes: dict[str, Any]) -> bool:
            return classes.pop(collection, None) is not None

        self._change(app, change)

    def _change(self, app: str, change: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        for _ in range(10):
            got = self.docs.get(_key(app))
            doc, ver = (json.loads(json.dumps(got[0])), got[1]) if got else ({"classes": {}}, None)
            if not change(doc["classes"]):
                self._remember(app, doc["classes"])
                return doc["classes"]  # type: ignore[no-any-return]
            try:
                self.docs.put(_key(app), doc, ver)
            except VersionConflict:
                continue
            self._remember(app, doc["classes"])
            return doc["classes"]  # type: ignore[no-any-return]
        raise ConcurrencyExhausted()

    def _remember(self, app: str, classes: dict[str, Any]) -> None:
        with self._lock:
            self._cache[app] = (self.clock() + CACHE_S, classes)


def _room(classes: dict[str, Any], spelled: dict[str, list[str]]) -> bool:
    """May one more spelling be recorded: in the collection (MAX_SPELLINGS) and in the app's one
    registry item (MAX_SPELLING_BYTES: the item holds every class and stops at 400 KB)?"""
    if sum(map(len, spelled.values())) >= MAX_SPELLINGS:
        return False
    total = sum(len(p) for c in classes.values() for ps in (c.get("spellings") or {}).values() for p in ps)
    return total + MAX_SPELLING_CHARS <= MAX_SPELLING_BYTES


def _add_spellings(classes: dict[str, Any], known: dict[str, list[str]], cased: set[str]) -> int:
    """Add each path not yet among `known` (a collection's spellings) while there is room; how many."""
    added = 0
    for path in sorted(cased):
        have = known.get(path.lower(), [])
        if path not in have and _room(classes, known):
            known[path.lower()] = [*have, path]
            added += 1
    return added


def cased_paths(doc: dict[str, Any]) -> set[str]:
    """The document's index names (indexing.index_name: dotted, arrays elided) with an upper-case letter."""
    out = set()
    for group in indexing.entries_for(doc, check=False).values():
        for e in group:
            name = e.prop.split("#", 1)[0]
            if name != name.lower() and len(name) <= MAX_SPELLING_CHARS:
                out.add(name)
    return out


def _key(app: str) -> str:
    return f"classes#{app}"


def _label(spec: Field) -> str:
    return f"{spec['type']}<{spec['targetClass']}>" if spec.get("targetClass") else spec["type"]
