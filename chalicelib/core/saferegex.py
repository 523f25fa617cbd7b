"""Regular expressions that cannot stall a request: a Pike VM over Python's own parser.

Python's `re` backtracks, so a client's pattern like `(a+)+$` takes exponential time. Here the
pattern is parsed by the standard library's parser and run as a Thompson NFA, one pass over
the subject with a set of threads: time is O(len(subject) x len(program)), and both are capped.
Backreferences, lookarounds and conditionals need backtracking and are refused (InvalidQuery).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .errors import InvalidQuery

try:  # Python 3.11+
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older interpreters
    import sre_constants as C
    import sre_parse as P

MAX_PATTERN = 256  # characters of a pattern
MAX_PROGRAM = 1000  # NFA instructions after {m,n} expansion
MAX_REPEAT_COUNT = 100  # largest m or n in {m,n}
MAX_SUBJECT = 10_000  # characters of a value examined; longer values are matched on this prefix
MAX_STEPS = 300_000  # thread steps one search may take before the query is refused

Pred = Callable[[str], bool]


class SafeRegex:
    def __init__(self, pattern: str, flags: int = 0) -> None:
        if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
            raise InvalidQuery(f"regex must be a string of at most {MAX_PATTERN} characters")
        try:
            parsed = P.parse(pattern, flags)
        except re.error as e:
            raise InvalidQuery(f"invalid regex: {e}") from None
        self.flags = flags | parsed.state.flags
        self.prog: list[tuple[Any, ...]] = []
        self._emit_seq(list(parsed))
        self.prog.append(("match",))

    # -- compilation ----------------------------------------------------------------------
    def _add(self, *ins: Any) -> int:
        if len(self.prog) >= MAX_PROGRAM:
            raise InvalidQuery("regex is too complex")
        self.prog.append(ins)
        return len(self.prog) - 1

    def _emit_seq(self, items: list[tuple[Any, Any]]) -> None:
        for op, av in items:
            self._emit(op, av)

    def _emit(self, op: Any, av: Any) -> None:
        icase = bool(self.flags & re.IGNORECASE)
        if op is C.LITERAL:
            ch = chr(av)
            self._add("char", _fold(lambda c: c == ch, icase))
        elif op is C.NOT_LITERAL:
            ch = chr(av)
            self._add("char", _neg(_fold(lambda c: c == ch, icase)))
        elif op is C.ANY:
            dotall = bool(self.flags & re.DOTALL)
            self._add("char", (lambda c: True) if dotall else (lambda c: c != "\n"))
        elif op is C.IN:
            self._add("char", _charset(av, icase))
        elif op is C.SUBPATTERN:
            self._emit_seq(list(av[-1]))
        elif op is C.BRANCH:
            self._branch(av[1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)):
            self._repeat(*av)
        elif op is C.AT:
            self._add("at", av)
        else:
            raise InvalidQuery(f"regex feature not supported: {str(op).lower()}")

    def _branch(self, alts: list[Any]) -> None:
        jumps = []
        for i, alt in enumerate(alts):
            if i < len(alts) - 1:
                split = self._add("split", 0, 0)
                self.prog[split] = ("split", split + 1, None)
                self._emit_seq(list(alt))
                jumps.append(self._add("jmp", None))
                self.prog[split] = ("split", split + 1, len(self.prog))
            else:
                self._emit_seq(list(alt))
        for j in jumps:
            self.prog[j] = ("jmp", len(self.prog))

    def _repeat(self, lo: int, hi: int, sub: Any) -> None:
        unbounded = hi == C.MAXREPEAT
        if lo > MAX_REPEAT_COUNT or (not unbounded and hi > MAX_REPEAT_COUNT):
            raise InvalidQuery(f"regex repeat counts are limited to {MAX_REPEAT_COUNT}")
        items = list(sub)
        for _ in range(lo):
            self._emit_seq(items)
        if unbounded:
            split = self._add("split", None, None)
            self._emit_seq(items)
            self._add("jmp", split)
            self.prog[split] = ("split", split + 1, len(self.prog))
            return
        pending = []
        for _ in range(hi - lo):
            pending.append(self._add("split", None, None))
            self._emit_seq(items)
        for s in pending:
            self.prog[s] = ("split", s + 1, len(self.prog))

    # -- execution ------------------------------------------------------------------------
    def search(self, text: str) -> bool:
        text = text[:MAX_SUBJECT]
        n = len(text)
        current: list[int] = []
        seen: set[int] = set()
        steps = 0
        for i in range(n + 1):
            if self._add_thread(current, seen, 0, text, i):
                return True
            if i == n:
                return False
            c = text[i]
            nxt: list[int] = []
            seen_next: set[int] = set()
            steps += len(current)
            if steps > MAX_STEPS:
                raise InvalidQuery("regex is too expensive to evaluate; simplify it")
            for pc in current:
                if self.prog[pc][1](c) and self._add_thread(nxt, seen_next, pc + 1, text, i + 1):
                    return True
            current, seen = nxt, seen_next
        return False

    def _add_thread(self, out: list[int], seen: set[int], pc: int, text: str, i: int) -> bool:
        """Follow jumps, splits and assertions from `pc`; True when a match state is reached."""
        stack = [pc]
        while stack:
            pc = stack.pop()
            if pc in seen and self.prog[pc][0] != "char":
                continue
            ins = self.prog[pc]
            kind = ins[0]
            if kind == "char":
                if pc not in seen:
                    seen.add(pc)
                    out.append(pc)
                continue
            seen.add(pc)
            if kind == "match":
                return True
            if kind == "jmp":
                stack.append(ins[1])
            elif kind == "split":
                stack.append(ins[2])
                stack.append(ins[1])
            elif kind == "at" and self._at(ins[1], text, i):
                stack.append(pc + 1)
        return False

    def _at(self, where: Any, text: str, i: int) -> bool:
        multiline = bool(self.flags & re.MULTILINE)
        if where is C.AT_BEGINNING:
            return i == 0 or (multiline and text[i - 1] == "\n")
        if where is C.AT_BEGINNING_STRING:
            return i == 0
        if where is C.AT_END:
            return i == len(text) or (i == len(text) - 1 and text[i] == "\n") or (multiline and text[i] == "\n")
        if where is C.AT_END_STRING:
            return i == len(text)
        before = i > 0 and _is_word(text[i - 1])
        after = i < len(text) and _is_word(text[i])
        if where is C.AT_BOUNDARY:
            return before != after
        if where is C.AT_NON_BOUNDARY:
            return before == after
        raise InvalidQuery("regex anchor not supported")


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _fold(pred: Pred, icase: bool) -> Pred:
    if not icase:
        return pred
    return lambda c: pred(c) or pred(c.lower()) or pred(c.upper())


def _neg(pred: Pred) -> Pred:
    return lambda c: not pred(c)


_CATEGORIES: dict[Any, Pred] = {
    C.CATEGORY_DIGIT: str.isdigit, C.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    C.CATEGORY_SPACE: str.isspace, C.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    C.CATEGORY_WORD: _is_word, C.CATEGORY_NOT_WORD: lambda c: not _is_word(c),
}


def _eq(ch: str) -> Pred:
    return lambda c: c == ch


def _between(lo: str, hi: str) -> Pred:
    return lambda c: lo <= c <= hi


def _charset(items: list[tuple[Any, Any]], icase: bool) -> Pred:
    negate = False
    preds: list[Pred] = []
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            preds.append(_eq(chr(av)))
        elif op is C.RANGE:
            preds.append(_between(chr(av[0]), chr(av[1])))
        elif op is C.CATEGORY and av in _CATEGORIES:
            preds.append(_CATEGORIES[av])
        else:
            raise InvalidQuery("regex character class not supported")
    inner = _fold(lambda c: any(p(c) for p in preds), icase)
    return _neg(inner) if negate else inner


@lru_cache(maxsize=256)
def compile_safe(pattern: str, flags: int = 0) -> SafeRegex:
    return SafeRegex(pattern, flags)
