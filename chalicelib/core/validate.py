"""Input checks every dialect shares, applied where data enters (dialects/http.py) and again where it
is stored (core/entities.py), so a new route gets them without anyone remembering to.

Why each rule exists:
- Numbers must be finite and within what DynamoDB keeps (38 significant digits, magnitude between
  1e-130 and 9.99e125): `NaN` or `Infinity` stored in a document makes every later listing invalid
  JSON, a 400-digit integer overflows the float the index encodes, and DynamoDB refuses both as
  Number attributes (counters, TTLs). One rule for documents and parameters alike.
- Strings and keys must be well-formed Unicode: JSON lets a client send a lone surrogate (`"\\ud800"`),
  which Python keeps but cannot encode to UTF-8, so it fails at the first write or hash.
- Nesting is bounded: every layer below walks documents recursively.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import InvalidInput, MalformedBody

MAX_DEPTH = 100
MAX_DIGITS = 38  # DynamoDB Number precision
MAX_MAGNITUDE = 9.9999999999999999999999999999999999999e125
MIN_MAGNITUDE = 1e-130
_MAX_INT = 10**MAX_DIGITS  # any integer below this has at most 38 significant digits
_SURROGATE = re.compile("[\ud800-\udfff]")


class InvalidNumber(InvalidInput):
    default_message = "numbers must be finite, with at most 38 significant digits and a magnitude below 1e126"


class InvalidText(InvalidInput):
    default_message = "text is not well-formed Unicode"


class TooDeep(MalformedBody):
    default_message = f"nested deeper than {MAX_DEPTH} levels"


# -- JSON --------------------------------------------------------------------------------------
def _constant(name: str) -> Any:
    raise InvalidNumber(f"{name} is not a number JSON allows")


def _parse_int(text: str) -> int:
    digits = text.lstrip("-").lstrip("0")
    if len(digits) > MAX_DIGITS:
        raise InvalidNumber(f"the integer {text[:20]}... has more than {MAX_DIGITS} digits")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    number(value, text[:40])
    return value


def loads(raw: str | bytes, what: str = "request body") -> Any:
    """Strict JSON: finite, storable numbers, well-formed strings, nesting up to MAX_DEPTH.

    Malformed JSON is a MalformedBody; a well-formed document breaking a rule is the rule's error."""
    try:
        value = json.loads(raw, parse_constant=_constant, parse_int=_parse_int, parse_float=_parse_float)
    except RecursionError:
        raise TooDeep(f"{what} is nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as e:
        if isinstance(e, InvalidInput):
            raise
        raise MalformedBody(f"Unable to parse {what} as JSON") from None
    return check(value, what)


# -- values ------------------------------------------------------------------------------------
def number(value: int | float, shown: Any = None) -> Any:
    """`value` if DynamoDB can keep it and JSON can carry it, else InvalidNumber."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -_MAX_INT < value < _MAX_INT:
            return value
        if value.bit_length() <= 420 and abs(value) <= MAX_MAGNITUDE and len(str(abs(value)).rstrip("0")) <= MAX_DIGITS:
            return value
        raise InvalidNumber(f"the integer {str(value)[:20]}... is out of range" if value.bit_length() <= 420
                            else "an integer is out of range")
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE or (value != 0 and abs(value) < MIN_MAGNITUDE):
        raise InvalidNumber(f"{shown if shown is not None else value} is not a storable number")
    return value


def text(value: str, what: str = "text") -> str:
    if _SURROGATE.search(value):
        raise InvalidText(f"{what} is not well-formed Unicode (a lone surrogate)")
    return value


def check(value: Any, what: str = "value") -> Any:
    """Walk a JSON-like value (from JSON, forms or code): numbers, strings, keys and depth; returns it."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, str):
            text(v, what)
        elif isinstance(v, (int, float)):
            number(v)
        elif isinstance(v, (dict, list, tuple)):
            if depth > MAX_DEPTH:
                raise TooDeep(f"{what} is nested deeper than {MAX_DEPTH} levels")
            if isinstance(v, dict):
                for k in v:
                    if isinstance(k, str):
                        text(k, what)
                stack.extend((x, depth + 1) for x in v.values())
            else:
                stack.extend((x, depth + 1) for x in v)
    return value


MAX_EPOCH_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last instant datetime can name


def epoch_ms(raw: Any, name: str) -> int:
    """Milliseconds since the epoch, as a number or a numeric string, within what a date can be."""
    value = finite(raw, name)
    if not 0 <= value <= MAX_EPOCH_MS:
        raise InvalidInput(f"{name} must be milliseconds since the epoch (0 to {MAX_EPOCH_MS})")
    return int(value)


def is_index(seg: str) -> bool:
    """A path step that is an array index: an optional `-` and ASCII digits. `str.isdigit` also
    accepts "²" or "٣", which `int()` then refuses: every path walker asks this one instead."""
    digits = seg[1:] if seg.startswith("-") else seg
    return 0 < len(digits) <= 9 and digits.isascii() and digits.isdigit()


# -- parameters --------------------------------------------------------------------------------
def integer(raw: Any, name: str, default: int, low: int, high: int) -> int:
    """An integer parameter (query string, form or JSON), default when absent, else within [low, high]."""
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise InvalidInput(f"{name} must be an integer")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str):
        s = raw.strip()
        if not re.fullmatch(r"[+-]?[0-9]{1,18}", s):
            raise InvalidInput(f"{name} must be an integer between {low} and {high}")
        raw = int(s)
    if not isinstance(raw, int) or not low <= raw <= high:
        raise InvalidInput(f"{name} must be an integer between {low} and {high}")
    return raw


def finite(raw: Any, name: str) -> float | int:
    """A number parameter given as a number or a numeric string: finite and storable."""
    if isinstance(raw, bool) or raw is None:
        raise InvalidInput(f"{name} must be a number")
    if isinstance(raw, str):
        s = raw.strip()
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", s) or len(s) > 64:
            raise InvalidNumber(f"{name} must be a finite number")
        try:
            raw = _parse_int(s) if re.fullmatch(r"[+-]?[0-9]+", s) else float(s)
        except ValueError:
            raise InvalidNumber(f"{name} must be a finite number") from None
    if not isinstance(raw, (int, float)):
        raise InvalidInput(f"{name} must be a number")
    number(raw, f"{name} {str(raw)[:20]}")
    return raw
