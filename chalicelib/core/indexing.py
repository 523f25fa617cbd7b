"""Which index entries an entity owns, and how values sort inside a DynamoDB sort key.

Every property is indexed, nested ones included: each scalar leaf by value (strings
lower-cased, so comparisons ignore case as in Usergrid), strings also by keyword unless
the string is exactly one word (`contains` reads both),
and the top-level `location` by geohash. A leaf's index name is its dotted path with array
levels elided (`address.city`; `items.sku` for `items: [{sku: ...}]`; `a.b` for
`a: [[{b: 1}]]`), which is the name the planner derives from a query path by dropping its
`*` and integer steps (`items.*.sku`, `items.0.sku`): one index serves every way of walking
the arrays, and the planner verifies the exact path on the entity it fetches.

Entries stay grouped by the top-level property they come from, because versions (`pv`) are
per top-level property: changing any nested leaf rewrites that property's whole group at the
new version and deletes the old group, so the crash-repair argument of docs/ARCHITECTURE.md
holds unchanged. A sort key is `<encoded value> SEP <uuid> SEP <version>`.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from . import geo
from .errors import TooLarge
from .validate import is_index

SEP = "\x01"
HIGH = "\x02"  # sorts after SEP: `enc + HIGH` is past every key for `enc`
MAX_STRING_KEY = 200  # characters of a string kept in the key; longer ones are verified on read
MAX_ENTRIES = 1000  # index entries one entity may own (write amplification bound; see entries_for)
MAX_LEVELS = 16  # nesting levels indexed (and seen by query matching); the top-level value is level 1
MAX_NAME = 255  # characters of an index name: keeps `<app>#<collection>#<name>#kw` far below 2,048 bytes
PRESENT = "a"  # sorts before every value kind: "this path exists but holds no indexable scalar"
UNINDEXED = frozenset({"uuid", "type", "metadata", "password"})
KEYWORD_SUFFIX = "#kw"
GEO_SUFFIX = "#geo"
# One marker entry per index name under which an entity holds two or more values (an array, or
# arrays of objects): `p > 1 and p < 5` is true of `p: [0, 10]` although no value lies between,
# so a read bounded on both sides must also read the entities that carry this marker.
MULTI_SUFFIX = "#multi"
MULTI = "m"
_WORD_RE = re.compile(r"[\w']+", re.UNICODE)
_CTRL_RE = re.compile(r"[\x00-\x02]")
_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{1,3}))?")  # a Time's iso
# A nested key that may appear in an index name: no `.` (path separator), `#` (index suffixes),
# `*` or control characters, so dotted names cannot collide. Other keys are stored, not indexed,
# and the planner filters paths through them instead of reading an index.
_KEY_RE = re.compile(r"^[\w$\-]{1,128}$")

TOP = "\U0010ffff"  # the largest code point: `x + TOP` bounds every key that starts with x


def kind_bounds(kind: str) -> tuple[str, str]:
    """Inclusive sort-key bounds of every value of one kind ("b", "n" or "s")."""
    return kind, chr(ord(kind) + 1)


def encode(value: Any) -> str | None:
    """Order-preserving string for a scalar, with a one-letter type prefix; None if unindexable."""
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        (bits,) = struct.unpack(">Q", struct.pack(">d", float(value)))
        bits = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | 1 << 63
        return f"n{bits:016x}"
    if isinstance(value, str):
        return "s" + _CTRL_RE.sub(" ", value.lower()[:MAX_STRING_KEY])
    typed = typed_value(value)
    if typed is not None:
        kind, v = typed
        if kind in ("d", "e"):
            return kind + encode(v)[1:]  # type: ignore[index]
        return "p" + str(v)[:MAX_STRING_KEY]
    return None


def typed_value(value: Any) -> tuple[str, Any] | None:
    """Parse-style typed values that compare by meaning, not as JSON objects.

    `{"__type": "Date" | "DateTime", "iso": ...}` is kind "d" compared by epoch ms; `{"__type":
    "Time", "iso": "HH:MM:SS.mmm"}` is kind "e" compared by milliseconds since midnight;
    `{"__type": "Pointer", "className", "objectId"}` is kind "p" compared by `classname$objectid`.
    Index keys sort them among the scalars' kinds (b < d < e < n < p < s, all inside the `b`..`t`
    bounds the planner's `exists` and `order` scans read), so ranges over dates and times use the index.
    """
    if not isinstance(value, dict):
        return None
    t = value.get("__type")
    if t in ("Date", "DateTime") and isinstance(value.get("iso"), str):
        ms = iso_to_ms(value["iso"])
        return ("d", ms) if ms is not None else None
    if t == "Time" and isinstance(value.get("iso"), str):
        ms = time_ms(value["iso"])
        return ("e", ms) if ms is not None else None
    if t == "Pointer" and isinstance(value.get("className"), str) and isinstance(value.get("objectId"), str):
        return ("p", f"{value['className'].lower()}${value['objectId'].lower()}")
    return None


def iso_to_ms(iso: str) -> int | None:
    """Epoch milliseconds of an ISO 8601 timestamp (naive means UTC); None if it is not one."""
    from datetime import UTC, datetime

    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(round(dt.timestamp() * 1000))


def time_ms(text: str) -> int | None:
    """Milliseconds since midnight of `HH:MM:SS[.fff]`; None if it is not one."""
    m = _TIME_RE.fullmatch(text)
    if m is None:
        return None
    return ((int(m[1]) * 60 + int(m[2])) * 60 + int(m[3])) * 1000 + int((m[4] or "0").ljust(3, "0"))


def keywords(text: str) -> set[str]:
    return {w.lower()[:MAX_STRING_KEY] for w in _WORD_RE.findall(text)}


def is_multiword(text: str) -> bool:
    return len(_WORD_RE.findall(text)) > 1


@dataclass(frozen=True)
class Entry:
    """One index item: partition (relative to app and collection) and sort-key value part."""

    prop: str  # index name: the property, or property + KEYWORD_SUFFIX / GEO_SUFFIX
    enc: str  # encoded value (or keyword, or geohash)


def is_array_step(part: str) -> bool:
    """A path step that addresses array elements (`*`, `0`, `-1`); query.path_values reads them so."""
    return part == "*" or is_index(part)


def index_name(path: str) -> str | None:
    """The index holding every value a query path can reach, or None if no index covers it.

    Array steps are elided, the same as in the entries (a dict key that looks like an array
    step, `{"0": ...}`, is elided there too, so both readings of `a.0.b` land on `a.b`).
    None for unindexed heads, sub-paths of `location` (stored as a geohash only), keys that
    are never indexed, and paths deeper than MAX_LEVELS: the planner filters those.
    """
    parts = path.split(".")
    head = parts[0]
    if head in UNINDEXED or not _KEY_RE.match(head) or is_array_step(head) or len(parts) > MAX_LEVELS:
        return None
    if head == "location" and len(parts) > 1:
        return None
    named = [head] + [p for p in parts[1:] if not is_array_step(p)]
    if not all(_KEY_RE.match(p) for p in named):
        return None
    name = ".".join(named)
    return name if len(name) <= MAX_NAME else None


def entries_for(doc: dict[str, Any], *, check: bool = True) -> dict[str, set[Entry]]:
    """Index entries grouped by the top-level property they come from.

    The bound: at most MAX_ENTRIES (1,000) entries, else TooLarge (413), because every entry is
    a DynamoDB item written on create (25 per BatchWriteItem call) and rewritten with its whole
    top-level group when any leaf of that property changes. Nested leaves count, so 400 (the
    bound when only top-level values were indexed) would refuse ordinary documents: 50 array
    elements of 5 fields are 250 leaves, plus keywords of their multi-word strings (often as
    many again), plus the top level. 1,000 fits that with room (about 150 such elements), costs
    at most 40 batch calls and 1,000 WCU on create, and stays far below the 350 KB document
    limit's worst case. `check=False` computes the entries of a stored document without the
    bound (reads, deletes and the old side of an update must never fail on an entity that was
    accepted, whatever the bound was when it was written).
    """
    out: dict[str, set[Entry]] = {}
    total = 0
    for prop, value in doc.items():
        if prop in UNINDEXED:
            continue
        found = _entries_of(prop, value)
        if found:
            out[prop] = found
            total += len(found)
    if check and total > MAX_ENTRIES:
        raise TooLarge(f"entity has {total} indexed values; the limit is {MAX_ENTRIES}")
    return out


def prop_entries(prop: str, value: Any) -> set[Entry]:
    """The entries of one top-level property, as `entries_for` files them (a reader verifying a hit
    needs only the properties of the indexes it read, not the whole document)."""
    return set() if prop in UNINDEXED else _entries_of(prop, value)


def top_property(index: str) -> str:
    """The top-level property an index name belongs to: `address.city`, `title#kw`, `p#multi` -> its first part."""
    return re.split(r"[.#]", index, maxsplit=1)[0]


def _entries_of(prop: str, value: Any) -> set[Entry]:
    out: set[Entry] = set()
    if prop == "location" and isinstance(value, dict):
        lat, lon = value.get("latitude"), value.get("longitude")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and _is_num(lat) and _is_num(lon) \
                and -90 <= lat <= 90 and -180 <= lon <= 180:
            out.add(Entry(prop + GEO_SUFFIX, geo.encode(float(lat), float(lon))))
        else:
            out.add(Entry(prop, PRESENT))
        return out
    _named(value, prop, 1, out, descend=prop != "location")
    counts: dict[str, int] = {}
    for e in out:
        if e.enc != PRESENT and "#" not in e.prop:
            counts[e.prop] = counts.get(e.prop, 0) + 1
    out.update(Entry(name + MULTI_SUFFIX, MULTI) for name, n in counts.items() if n > 1)
    return out


def _named(value: Any, name: str, level: int, out: set[Entry], descend: bool) -> None:
    """A position reached by a named step. It always owns at least one entry under its own name
    (a PRESENT marker when it holds no scalar: null, {}, [], an object), so `exists` reads an index."""
    if level > MAX_LEVELS:
        return
    if not _values_at(value, name, level, out, descend):
        out.add(Entry(name, PRESENT))


def _values_at(value: Any, name: str, level: int, out: set[Entry], descend: bool) -> bool:
    """Entries of `value` under `name` and below; True if one is a value entry of `name` itself."""
    if level > MAX_LEVELS:
        return False
    enc = encode(value)  # scalars and typed values (Date, Pointer): one entry, never descended into
    if enc is not None:
        out.add(Entry(name, enc))
        if isinstance(value, str):
            words = keywords(value)
            if words != {value.lower()[:MAX_STRING_KEY]}:  # else the value entry is its only keyword
                out.update(Entry(name + KEYWORD_SUFFIX, word) for word in words)
        return True
    got = False
    if isinstance(value, list):
        for v in value:
            got = _values_at(v, name, level + 1, out, descend) or got
    elif isinstance(value, dict) and descend:
        for k, v in value.items():
            if not isinstance(k, str):
                continue
            if is_array_step(k):
                got = _values_at(v, name, level + 1, out, descend) or got
            elif _KEY_RE.match(k) and len(name) + 1 + len(k) <= MAX_NAME:
                _named(v, f"{name}.{k}", level + 1, out, descend)
    return got


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


MAX_SHARDS = 256  # partitions per index of one collection: a read of one index is at most this many Queries


def shard_of(uuid: str, shards: int) -> int:
    """Which of `shards` partitions an entity's entries live in: a hash of its uuid (uuid7s begin with
    the time, so their leading digits would put every create of one moment in one shard)."""
    return zlib.crc32(uuid.encode()) % shards if shards > 1 else 0


def shard_name(index: str, uuid: str, shards: int) -> str:
    """The partition (relative to app and collection) holding `uuid`'s entries of `index` when its
    collection spreads each index over `shards` keys: `index` itself for 1 (the unsharded layout),
    else `index#<i>/<shards>`. The count is part of the name, so entries written under two layouts
    never share a partition and a reader can tell which layout wrote an entry."""
    return index if shards <= 1 else f"{index}#{shard_of(uuid, shards)}/{shards}"


def partitions(index: str, layouts: tuple[int, ...]) -> list[str]:
    """Every partition of `index` under the live layouts (each a shard count), in a fixed order."""
    out: list[str] = []
    for s in dict.fromkeys(layouts):
        out += [index] if s <= 1 else [f"{index}#{i}/{s}" for i in range(s)]
    return out


def sort_key(enc: str, uuid: str, version: int) -> str:
    return f"{enc}{SEP}{uuid}{SEP}{version:x}"


def split_sort_key(sk: str) -> tuple[str, str, int]:
    enc, uuid, version = sk.rsplit(SEP, 2)
    return enc, uuid, int(version, 16)
