"""Which index entries an entity owns, and how values sort inside a DynamoDB sort key.

Every top-level property is indexed: scalars and each scalar of an array by value
(strings lower-cased, so comparisons ignore case as in Usergrid), multi-word strings also
by keyword, and `location` by geohash. A sort key is `<encoded value> SEP <uuid> SEP <version>`:
the version is the one at which that property last changed, so an update writes new keys
and deletes exactly the old ones with plain batch writes (no conditions needed), and a
reader can tell a stale or in-flight entry from a current one.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Any, Iterator

from . import geo
from .errors import TooLarge

SEP = "\x01"
HIGH = "\x02"  # sorts after SEP: `enc + HIGH` is past every key for `enc`
MAX_STRING_KEY = 200  # characters of a string kept in the key; longer ones are verified on read
MAX_ENTRIES = 400  # index entries one entity may own (write amplification bound)
UNINDEXED = frozenset({"uuid", "type", "metadata", "password"})
KEYWORD_SUFFIX = "#kw"
GEO_SUFFIX = "#geo"
_WORD_RE = re.compile(r"[\w']+", re.UNICODE)
_CTRL_RE = re.compile(r"[\x00-\x02]")

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
        return "n%016x" % bits
    if isinstance(value, str):
        return "s" + _CTRL_RE.sub(" ", value.lower()[:MAX_STRING_KEY])
    typed = typed_value(value)
    if typed is not None:
        kind, v = typed
        return "d" + encode(v)[1:] if kind == "d" else "p" + str(v)[:MAX_STRING_KEY]  # type: ignore[index]
    return None


def typed_value(value: Any) -> tuple[str, Any] | None:
    """Parse-style typed values that compare by meaning, not as JSON objects.

    `{"__type": "Date", "iso": ...}` is kind "d" compared by epoch ms; `{"__type": "Pointer",
    "className", "objectId"}` is kind "p" compared by `classname$objectid`. Index keys sort
    them between numbers' neighbours (b < d < n < p < s), so ranges over dates use the index.
    """
    if not isinstance(value, dict):
        return None
    t = value.get("__type")
    if t == "Date" and isinstance(value.get("iso"), str):
        ms = iso_to_ms(value["iso"])
        return ("d", ms) if ms is not None else None
    if t == "Pointer" and isinstance(value.get("className"), str) and isinstance(value.get("objectId"), str):
        return ("p", f"{value['className'].lower()}${value['objectId'].lower()}")
    return None


def iso_to_ms(iso: str) -> int | None:
    """Epoch milliseconds of an ISO 8601 timestamp (naive means UTC); None if it is not one."""
    from datetime import datetime, timezone

    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(round(dt.timestamp() * 1000))


def keywords(text: str) -> set[str]:
    return {w.lower()[:MAX_STRING_KEY] for w in _WORD_RE.findall(text)}


def is_multiword(text: str) -> bool:
    return len(_WORD_RE.findall(text)) > 1


@dataclass(frozen=True)
class Entry:
    """One index item: partition (relative to app and collection) and sort-key value part."""

    prop: str  # index name: the property, or property + KEYWORD_SUFFIX / GEO_SUFFIX
    enc: str  # encoded value (or keyword, or geohash)


def entries_for(doc: dict[str, Any]) -> dict[str, set[Entry]]:
    """Index entries grouped by the top-level property they come from."""
    out: dict[str, set[Entry]] = {}
    total = 0
    for prop, value in doc.items():
        if prop in UNINDEXED:
            continue
        found = set(_entries_of(prop, value))
        if found:
            out[prop] = found
            total += len(found)
    if total > MAX_ENTRIES:
        raise TooLarge(f"entity has {total} indexed values; the limit is {MAX_ENTRIES}")
    return out


def _entries_of(prop: str, value: Any) -> Iterator[Entry]:
    if prop == "location" and isinstance(value, dict):
        lat, lon = value.get("latitude"), value.get("longitude")
        if _is_num(lat) and _is_num(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
            yield Entry(prop + GEO_SUFFIX, geo.encode(float(lat), float(lon)))
        return
    values = value if isinstance(value, list) else [value]
    for v in values:
        enc = encode(v)
        if enc is not None:
            yield Entry(prop, enc)
        if isinstance(v, str) and is_multiword(v):
            for word in keywords(v):
                yield Entry(prop + KEYWORD_SUFFIX, word)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def sort_key(enc: str, uuid: str, version: int) -> str:
    return f"{enc}{SEP}{uuid}{SEP}{version:x}"


def split_sort_key(sk: str) -> tuple[str, str, int]:
    enc, uuid, version = sk.rsplit(SEP, 2)
    return enc, uuid, int(version, 16)
