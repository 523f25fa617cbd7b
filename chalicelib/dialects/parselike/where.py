"""The `where` JSON of seed 003 compiled to the core query AST.

| key | core node |
|---|---|
| bare value | `Compare eq` (case-sensitive, exact as Parse; arrays match any element) |
| `null` / `ne: null` | `Or(Not(Exists), Compare eq null)` / `And(Exists, Compare ne null)`: as Parse, a missing field is null |
| `eq` / `ne` | `Compare` ignoring case; `equals` / `notequals` case-sensitive (the seed's table) |
| `lt lte gt gte` | `Compare` (Dates compare as dates, numbers as numbers, strings ignoring case) |
| `startswith` / `notstartswith` | `Prefix` (indexed) / `Not(Prefix)` |
| `endswith`, `like` (substring) and their `not` forms | `Regex` of the escaped text: no pattern from the client |
| `in` / `nin` | `In` (indexed) / `Not(In)` |
| `exists` | `Exists` / `Not(Exists)` |
| `select` / `dontSelect` | the inner query is run first (at most 1,000 objects), then `In` / `Not(In)` |
| `all` | `And` of `Compare eq` (an array containing every value) |
| `regex` (+ `options`: i, m, s) | `Regex(safe=True)`: linear-time matcher, no backreferences or lookarounds |
| `arraykey` | `ElemMatch`: some element of an array of objects matches every key/value given |
| `arraykeyall` | a list of such objects, each matched by some element |

`$`-prefixed spellings (`$lt`, `$in`, `$regex`, `$or`...) are accepted as Parse SDKs send them;
`or` / `$or`, `and` / `$and` and `$nor` take lists of where objects. Parse's own operators:

| key | core node |
|---|---|
| `$inQuery` / `$notInQuery` `{className, where}` | the inner query first (at most 1,000), then `In` / `Not(In)` of Pointers |
| `$relatedTo {object, key}` (top level) | the relation's members (core connections), then `In` on the uuid |
| `$nearSphere` + `$maxDistanceIn{Radians,Kilometers,Miles}` | `Within` (geohash index), nearest first |
| `$within {$box}`, `$geoWithin {$centerSphere}` | `Within` the enclosing circle, plus exact bounds on latitude/longitude |
| `$geoWithin {$polygon}` (GeoPoints, `[lng, lat]` pairs or a Polygon) | `InPolygon` (geohash cells of its bounding box on `location`) |
| `$geoIntersects {$point}` on a Polygon field | `PolygonHas` (filter) |
| `$containedBy [values]` | `ContainedBy` (filter): no array element outside the list |

Malformed geo and `$containedBy` operands answer Parse's 107 (INVALID_JSON), as Parse Server does.

The seed's `""` key (an operator
lost from its example for "not by a given list of players") is read as `nin`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...core import validate
from ...core.errors import InvalidQuery, MalformedBody
from ...core.query import (
    And,
    Compare,
    ContainedBy,
    Contains,
    ElemMatch,
    Exists,
    In,
    InPolygon,
    Node,
    Not,
    Or,
    PolygonHas,
    Prefix,
    Regex,
    Within,
)
from .codec import KEY_RE, date_ms, decode, is_number, pointer
from .errors import INVALID_JSON, ParseStyleError

FIELD_MAP = {"objectId": "uuid", "createdAt": "created", "updatedAt": "modified"}
MAX_TEXT = 1000  # characters of a startswith/endswith/like operand
SubQuery = Callable[[str, Any, str], list[Any]]  # (className, where, field) -> values
Related = Callable[[Any, Any], list[str]]  # ($relatedTo's object, key) -> member uuids
EARTH_M = 6_371_000.0

_ALIASES = {"$lt": "lt", "$lte": "lte", "$gt": "gt", "$gte": "gte", "$ne": "ne", "$in": "in", "$nin": "nin",
            "$exists": "exists", "$select": "select", "$dontSelect": "dontSelect", "$all": "all",
            "$regex": "regex", "$options": "options", "$eq": "equals", "": "nin",
            "$inQuery": "inQuery", "$notInQuery": "notInQuery", "$nearSphere": "nearSphere",
            "$within": "within", "$geoWithin": "geoWithin", "$maxDistance": "maxDistance",
            "$maxDistanceInRadians": "maxDistance", "$maxDistanceInKilometers": "maxDistanceKm",
            "$maxDistanceInMiles": "maxDistanceMiles", "$text": "text", "$geoIntersects": "geoIntersects",
            "$containedBy": "containedBy"}


def parse_where(text: str | None) -> Any:
    if text in (None, ""):
        return None
    try:
        return validate.loads(text, "where")
    except validate.TooDeep:
        raise
    except MalformedBody:
        pass
    # The seed's own example writes a date as {"2011-08-21T18:02:52.249Z"}: read it as the string.
    repaired = re.sub(r'\{\s*("(?:[^"\\]|\\.)*")\s*\}', r"\1", text or "")
    try:
        return validate.loads(repaired, "where")
    except validate.TooDeep:
        raise
    except MalformedBody:
        raise InvalidQuery("where must be a JSON object") from None


def compile_where(where: Any, sub: SubQuery, depth: int = 0, related: Related | None = None) -> Node | None:
    if where is None:
        return None
    if not isinstance(where, dict):
        raise InvalidQuery("where must be a JSON object")
    if depth > 8:
        raise InvalidQuery("where is nested too deeply")
    terms: list[Node] = []
    for key, cond in where.items():
        if key in ("$or", "or", "$and", "and", "$nor"):
            if not isinstance(cond, list) or not cond:
                raise InvalidQuery(f"{key} takes a non-empty list of where objects")
            kids = tuple(c for c in (compile_where(w, sub, depth + 1, related) for w in cond) if c is not None)
            if kids:
                terms.append(Not(Or(kids)) if key == "$nor" else Or(kids) if "or" in key else And(kids))
            continue
        if key == "$relatedTo":
            if related is None or not isinstance(cond, dict):
                raise InvalidQuery("$relatedTo takes {\"object\": Pointer, \"key\": name}")
            terms.append(In("uuid", tuple(related(cond.get("object"), cond.get("key")))))
            continue
        terms.extend(_field_terms(key, cond, sub, depth))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else And(tuple(terms))


def field_path(key: Any) -> str:
    if not isinstance(key, str):
        raise InvalidQuery(f"invalid key name: {key}")
    if key in FIELD_MAP:
        return FIELD_MAP[key]
    parts = key.split(".")
    if not all(KEY_RE.match(p) for p in parts):
        raise InvalidQuery(f"invalid key name: {key}")
    return key


def _operand(fld: str, value: Any) -> Any:
    if fld in ("created", "modified"):
        ms = date_ms(value)
        if ms is None and not (isinstance(value, (int, float)) and not isinstance(value, bool)):
            raise InvalidQuery(f"{fld == 'created' and 'createdAt' or 'updatedAt'} compares with a Date")
        return ms if ms is not None else value
    try:
        return decode(value)
    except Exception as e:  # a malformed typed hash in a query is a query error
        raise InvalidQuery(str(e)) from None


def _is_ops(cond: Any) -> bool:
    return isinstance(cond, dict) and "__type" not in cond and bool(cond) and all(
        isinstance(k, str) and (k in _OPS or k in _ALIASES) for k in cond)


def _field_terms(key: str, cond: Any, sub: SubQuery, depth: int) -> list[Node]:
    fld = field_path(key)
    if not _is_ops(cond):
        if isinstance(cond, dict) and "__type" not in cond:
            bad = next((k for k in cond if k not in _OPS and k not in _ALIASES), "{}")
            raise InvalidQuery(f"bad constraint: {bad} (compare nested objects by dotted keys: a.b)")
        if cond is None:  # as Parse: a null or a missing field
            return [Or((Not(Exists(fld)), Compare(fld, "eq", None, case_sensitive=True)))]
        return [Compare(fld, "eq", _operand(fld, cond), case_sensitive=True)]
    options = cond.get("options", cond.get("$options", ""))
    out: list[Node] = []
    for op, arg in cond.items():
        op = _ALIASES.get(op, op)
        if op in ("options", "maxDistance", "maxDistanceKm", "maxDistanceMiles"):
            continue
        if op == "nearSphere":
            out.append(_near(fld, arg, cond))
            continue
        out.append(_OPS[op](fld, arg, sub, options))
    return out


def _text(op: str, arg: Any) -> str:
    if not isinstance(arg, str) or len(arg) > MAX_TEXT:
        raise InvalidQuery(f"{op} takes a string of at most {MAX_TEXT} characters")
    return arg


def _list(op: str, arg: Any) -> list[Any]:
    if not isinstance(arg, list) or len(arg) > 1000:
        raise InvalidQuery(f"{op} takes a list of at most 1,000 values")
    return arg


def _cmp(op: str, case_sensitive: bool = False) -> Callable[..., Node]:
    def make(f: str, a: Any, s: SubQuery, o: str) -> Node:
        if a is None and op == "ne":  # as Parse: present and not null (a missing field is null too)
            return And((Exists(f), Compare(f, "ne", None, case_sensitive)))
        return Compare(f, op, _operand(f, a), case_sensitive)

    return make


def _literal(suffix: str) -> Callable[..., Node]:
    def make(f: str, a: Any, s: SubQuery, o: str) -> Node:
        return Regex(f, re.escape(_text("endswith" if suffix else "like", a)) + suffix, re.IGNORECASE)

    return make


def _regex(f: str, a: Any, s: SubQuery, options: Any) -> Node:
    if not isinstance(options, str) or set(options) - set("imsx"):
        raise InvalidQuery("regex options are a string of i, m, s")
    flags = (re.I if "i" in options else 0) | (re.M if "m" in options else 0) | (re.S if "s" in options else 0)
    from ...core.saferegex import compile_safe

    a = unquote(_text("regex", a))
    compile_safe(a, flags)  # refuse a bad pattern now, not on the first entity
    return Regex(f, a, flags, safe=True)


QUOTED_RE = re.compile(r"\\Q(.*?)(?:\\E|$)", re.S)


def unquote(pattern: str) -> str:
    """Java/PCRE literal quoting `\\Q...\\E` (what the Parse SDKs send for startsWith, contains,
    endsWith) as an escaped literal; the SDK writes a literal `\\E` as `\\E\\\\E\\Q`."""
    if "\\Q" not in pattern:
        return pattern
    pattern = pattern.replace("\\E\\\\E\\Q", "\x00")
    return QUOTED_RE.sub(lambda m: re.escape(m.group(1).replace("\x00", "\\E")), pattern)


def _text_search(f: str, a: Any, s: SubQuery, o: str) -> Node:
    term = (a.get("$search") or {}).get("$term") if isinstance(a, dict) and isinstance(a.get("$search"), dict) else None
    if not isinstance(term, str) or not term.strip():
        raise InvalidQuery("$text takes {\"$search\": {\"$term\": \"words\"}}")
    return Contains(f, _text("$text", term))


def _select(negate: bool) -> Callable[..., Node]:
    def make(f: str, a: Any, sub: SubQuery, o: str) -> Node:
        q = a.get("query") if isinstance(a, dict) else None
        key = a.get("field", a.get("key")) if isinstance(a, dict) else None
        if not isinstance(q, dict) or not isinstance(q.get("className"), str) or not isinstance(key, str):
            raise InvalidQuery("select takes {\"query\": {\"className\", \"where\"}, \"field\"}")
        values = sub(q["className"], q.get("where"), key)
        node = In(f, tuple(values))
        return Not(node) if negate else node

    return make


def _elem(f: str, a: Any, s: SubQuery, o: str) -> Node:
    if not isinstance(a, dict) or not a:
        raise InvalidQuery("arraykey takes an object of key/values an array element must have")
    kids = tuple(Compare(field_path(k), "eq", _operand(k, v), True) for k, v in a.items())
    return ElemMatch(f, kids[0] if len(kids) == 1 else And(kids))


def _elem_all(f: str, a: Any, s: SubQuery, o: str) -> Node:
    return And(tuple(_elem(f, x, s, o) for x in _list("arraykeyall", a))) if a else Exists(f)


def _in_query(negate: bool) -> Callable[..., Node]:
    def make(f: str, a: Any, sub: SubQuery, o: str) -> Node:
        if not isinstance(a, dict) or not isinstance(a.get("className"), str):
            raise InvalidQuery("$inQuery takes {\"className\", \"where\"}")
        cls = a["className"]
        node = In(f, tuple(pointer(cls, i) for i in sub(cls, a.get("where"), "objectId")))
        return Not(node) if negate else node

    return make


def _point(v: Any) -> tuple[float, float]:
    lat, lon = (v.get("latitude"), v.get("longitude")) if isinstance(v, dict) else (None, None)
    if not (is_number(lat) and is_number(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidQuery("a GeoPoint needs latitude in [-90, 90] and longitude in [-180, 180]")
    return float(lat), float(lon)


def _near(f: str, arg: Any, cond: dict[str, Any]) -> Node:
    lat, lon = _point(arg)
    radians = cond.get("$maxDistanceInRadians", cond.get("$maxDistance"))
    km, miles = cond.get("$maxDistanceInKilometers"), cond.get("$maxDistanceInMiles")
    for v in (radians, km, miles):
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0):
            raise InvalidQuery("a maximum distance is a number of 0 or more")
    meters = radians * EARTH_M if radians is not None else km * 1000 if km is not None else \
        miles * 1609.344 if miles is not None else None
    if meters is None:  # Parse's unbounded near: every point, nearest first (the coarsest geohash cells)
        meters = EARTH_M * 3.1416
    return Within(f, min(meters, EARTH_M * 3.1416), lat, lon)


def _box(f: str, sw: tuple[float, float], ne: tuple[float, float]) -> Node:
    from ...core.geo import distance_m

    clat, clon = (sw[0] + ne[0]) / 2, (sw[1] + ne[1]) / 2
    radius = distance_m(clat, clon, ne[0], ne[1]) + 1
    return And((Within(f, radius, clat, clon),
                Compare(f + ".latitude", "gte", sw[0]), Compare(f + ".latitude", "lte", ne[0]),
                Compare(f + ".longitude", "gte", sw[1]), Compare(f + ".longitude", "lte", ne[1])))


def _within(f: str, a: Any, s: SubQuery, o: str) -> Node:
    box = a.get("$box") if isinstance(a, dict) else None
    if not isinstance(box, list) or len(box) != 2:
        raise InvalidQuery("$within takes {\"$box\": [southwest, northeast]}")
    sw, ne = _point(box[0]), _point(box[1])
    if sw[0] > ne[0] or sw[1] > ne[1]:
        raise InvalidQuery("$box: the first point must be south-west of the second")
    return _box(f, sw, ne)


def _geo_within(f: str, a: Any, s: SubQuery, o: str) -> Node:
    if isinstance(a, dict) and isinstance(a.get("$centerSphere"), list) and len(a["$centerSphere"]) == 2:
        center, radians = a["$centerSphere"]
        if not isinstance(radians, (int, float)) or isinstance(radians, bool) or radians < 0:
            raise InvalidQuery("$centerSphere takes [GeoPoint, radians]")
        if isinstance(center, list) and len(center) == 2:  # GeoJSON order, as the SDK sends it
            center = {"latitude": center[1], "longitude": center[0]}
        lat, lon = _point(center)
        return Within(f, min(radians * EARTH_M, EARTH_M * 3.1416), lat, lon)
    if isinstance(a, dict) and isinstance(a.get("$box"), list):
        return _within(f, a, s, o)
    if isinstance(a, dict) and "$polygon" in a:
        return InPolygon(f, _polygon(a["$polygon"]))
    raise ParseStyleError(INVALID_JSON, "bad $geoWithin value; $geoWithin takes $centerSphere, $box or $polygon")


MAX_VERTICES = 1000  # a polygon's vertices: each candidate is tested against every edge


def _polygon(poly: Any) -> tuple[tuple[float, float], ...]:
    """(lat, lon) vertices of a `$polygon`, read as Parse Server reads it: a list of GeoPoints or
    of `[longitude, latitude]` pairs, or a Polygon whose coordinates are such pairs."""
    if isinstance(poly, dict) and poly.get("__type") == "Polygon":
        pts = poly.get("coordinates")
        if not isinstance(pts, list) or len(pts) < 3:
            raise ParseStyleError(INVALID_JSON, "bad $geoWithin value; Polygon.coordinates should contain "
                                                "at least 3 lon/lat pairs")
    elif isinstance(poly, list):
        if len(poly) < 3:
            raise ParseStyleError(INVALID_JSON, "bad $geoWithin value; $polygon should contain at least 3 GeoPoints")
        pts = poly
    else:
        raise ParseStyleError(INVALID_JSON, "bad $geoWithin value; $polygon should be Polygon object or "
                                            "Array of Parse.GeoPoint's")
    if len(pts) > MAX_VERTICES:
        raise ParseStyleError(INVALID_JSON, f"bad $geoWithin value; $polygon takes at most {MAX_VERTICES} points")
    return tuple(_geo_point(p, "$geoWithin") for p in pts)


def _geo_point(p: Any, op: str) -> tuple[float, float]:
    if isinstance(p, list) and len(p) == 2:
        p = {"latitude": p[1], "longitude": p[0]}
    elif not (isinstance(p, dict) and p.get("__type") == "GeoPoint"):
        raise ParseStyleError(INVALID_JSON, f"bad {op} value")
    try:
        return _point(p)
    except InvalidQuery as e:
        raise ParseStyleError(INVALID_JSON, f"bad {op} value; {e.message}") from None


def _geo_intersects(f: str, a: Any, s: SubQuery, o: str) -> Node:
    point = a.get("$point") if isinstance(a, dict) else None
    if not isinstance(point, dict) or point.get("__type") != "GeoPoint":
        raise ParseStyleError(INVALID_JSON, "bad $geoIntersect value; $point should be GeoPoint")
    lat, lon = _geo_point(point, "$geoIntersect")
    return PolygonHas(f, lat, lon)


def _contained_by(f: str, a: Any, s: SubQuery, o: str) -> Node:
    if not isinstance(a, list):
        raise ParseStyleError(INVALID_JSON, "bad $containedBy: should be an array")
    return ContainedBy(f, tuple(_operand(f, v) for v in _list("containedBy", a)))


def _exists(f: str, a: Any, s: SubQuery, o: str) -> Node:
    if not isinstance(a, bool):
        raise InvalidQuery("exists takes true or false")
    return Exists(f) if a else Not(Exists(f))


_OPS: dict[str, Callable[[str, Any, SubQuery, Any], Node]] = {
    "lt": _cmp("lt"), "lte": _cmp("lte"), "gt": _cmp("gt"), "gte": _cmp("gte"),
    "eq": _cmp("eq"), "equals": _cmp("eq", True), "ne": _cmp("ne"), "notequals": _cmp("ne", True),
    "startswith": lambda f, a, s, o: Prefix(f, _text("startswith", a)),
    "notstartswith": lambda f, a, s, o: Not(Prefix(f, _text("notstartswith", a))),
    "endswith": _literal(r"\Z"), "notendswith": lambda f, a, s, o: Not(_literal(r"\Z")(f, a, s, o)),
    "like": _literal(""), "notlike": lambda f, a, s, o: Not(_literal("")(f, a, s, o)),
    "in": lambda f, a, s, o: In(f, tuple(_operand(f, v) for v in _list("in", a))),
    "nin": lambda f, a, s, o: Not(In(f, tuple(_operand(f, v) for v in _list("nin", a)))),
    "exists": _exists, "select": _select(False), "dontSelect": _select(True),
    "all": lambda f, a, s, o: And(tuple(Compare(f, "eq", _operand(f, v)) for v in _list("all", a))) if a else Exists(f),
    "regex": _regex, "options": lambda f, a, s, o: Exists(f),
    "arraykey": _elem, "arraykeyall": _elem_all,
    "inQuery": _in_query(False), "notInQuery": _in_query(True),
    "within": _within, "geoWithin": _geo_within, "text": _text_search,
    "geoIntersects": _geo_intersects, "containedBy": _contained_by,
}


def parse_order(text: str | None) -> list[tuple[str, bool]]:
    out = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        desc = part.startswith("-")
        out.append((field_path(part.lstrip("-")), desc))
    return out
