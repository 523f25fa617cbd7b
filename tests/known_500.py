"""5xx causes issue 12 part A fixes in the core (input validation helpers, DynamoDB limits): the fuzz
and random-request tests record a 5xx whose request matches one of these instead of failing, and
fail on every other 5xx.

After part A is merged, empty KNOWN_CAUSES (and this file's users keep working): every entry left
here is a class of 500s the suite cannot see.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

# 39+ digits, an exponent of 126 or more (either sign), or a non-finite literal
BIG_LITERAL = re.compile(r"\d{39,}|\d[eE][+-]?(\d{4,}|[2-9]\d\d|1[3-9]\d|12[6-9])|\b(Infinity|NaN|inf)\b", re.IGNORECASE)


def _big_number(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return len(str(abs(x))) > 38
    if isinstance(x, float):
        return not math.isfinite(x) or (x != 0 and not 1e-130 < abs(x) < 1e125)
    if isinstance(x, str):  # numbers inside query strings, path segments and JSON text
        return BIG_LITERAL.search(x) is not None
    return False


def _surrogate(x: Any) -> bool:
    return isinstance(x, str) and any(0xD800 <= ord(ch) <= 0xDFFF for ch in x)


def _long_key(x: Any) -> bool:
    return isinstance(x, str) and len(x.encode("utf-8", "surrogatepass")) > 1024


def _any_value(v: Any, pred: Callable[[Any], bool]) -> bool:
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif pred(x):
            return True
    return False


# Emptied once part A landed (core/validate.py, storage/limits.py): every 5xx now fails the suite.
# The predicates above stay for the day a new class of 500s needs recording while it is fixed.
KNOWN_CAUSES: dict[str, Callable[[Any], bool]] = {}


def known_cause(*sent: Any) -> str | None:
    """The known cause a request (its path parameters, query, headers, body) falls under, if any."""
    return next((cause for cause, pred in KNOWN_CAUSES.items() if pred(list(sent))), None)
