"""English plurals for collection names, as Usergrid names collections by the plural of the type.

Usergrid 2.x lower-cases a URL segment, singularizes it to get the entity type and pluralizes the
type to get the collection (`person` -> `people`, `category` -> `categories`, `items` -> `items`).
Its Inflector is a port of Rails' ActiveSupport inflections with its own irregular and
uncountable words (../shared/protocols/usergrid.md section 3), reproduced here: rules are tried
newest first (the last rule in each list wins), they match a suffix so prefixes are kept
(`myperson` -> `mypeople`), and the matched word keeps the case of its first letter.
"""

from __future__ import annotations

import re

_PLURALS: list[tuple[str, str]] = [
    (r"$", "s"), (r"s$", "s"), (r"^(ax|test)is$", r"\1es"), (r"(octop|vir)us$", r"\1i"),
    (r"(octop|vir)i$", r"\1i"), (r"(alias|status)$", r"\1es"), (r"(bu)s$", r"\1ses"),
    (r"(buffal|tomat)o$", r"\1oes"), (r"([ti])um$", r"\1a"), (r"([ti])a$", r"\1a"), (r"sis$", "ses"),
    (r"(?:([^f])fe|([lr])f)$", r"\1\2ves"), (r"(hive)$", r"\1s"), (r"([^aeiouy]|qu)y$", r"\1ies"),
    (r"(x|ch|ss|sh)$", r"\1es"), (r"(matr|vert|ind)(?:ix|ex)$", r"\1ices"), (r"^(m|l)ouse$", r"\1ice"),
    (r"^(m|l)ice$", r"\1ice"), (r"^(ox)$", r"\1en"), (r"^(oxen)$", r"\1"), (r"(quiz)$", r"\1zes"),
]
_SINGULARS: list[tuple[str, str]] = [
    (r"s$", ""), (r"(ss)$", r"\1"), (r"(n)ews$", r"\1ews"), (r"([ti])a$", r"\1um"),
    (r"((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)(sis|ses)$", r"\1sis"),
    (r"(^analy)(sis|ses)$", r"\1sis"), (r"([^f])ves$", r"\1fe"), (r"(hive)s$", r"\1"),
    (r"(tive)s$", r"\1"), (r"([lr])ves$", r"\1f"), (r"([^aeiouy]|qu)ies$", r"\1y"),
    (r"(s)eries$", r"\1eries"), (r"(m)ovies$", r"\1ovie"), (r"(x|ch|ss|sh)es$", r"\1"),
    (r"^(m|l)ice$", r"\1ouse"), (r"(bus)(es)?$", r"\1"), (r"(o)es$", r"\1"), (r"(shoe)s$", r"\1"),
    (r"(cris|test)(is|es)$", r"\1is"), (r"^(a)x[ie]s$", r"\1xis"), (r"(octop|vir)(us|i)$", r"\1us"),
    (r"(alias|status)(es)?$", r"\1"), (r"^(ox)en", r"\1"), (r"(vert|ind)ices$", r"\1ex"),
    (r"(matr)ices$", r"\1ix"), (r"(quiz)zes$", r"\1"), (r"(database)s$", r"\1"),
]
# Usergrid's Inflector: Rails' irregulars with `stadium` added; its own uncountable list.
_IRREGULAR = (("person", "people"), ("man", "men"), ("child", "children"), ("sex", "sexes"),
              ("move", "moves"), ("stadium", "stadiums"))
UNCOUNTABLE = frozenset({"equipment", "information", "rice", "money", "species", "series", "fish", "sheep",
                         "data", "analytics"})

for _s, _p in _IRREGULAR:
    _PLURALS.append((rf"({_s[0]}){_s[1:]}$", rf"\g<1>{_p[1:]}"))
    _PLURALS.append((rf"({_p[0]}){_p[1:]}$", rf"\g<1>{_p[1:]}"))
    _SINGULARS.append((rf"({_p[0]}){_p[1:]}$", rf"\g<1>{_s[1:]}"))
    _SINGULARS.append((rf"({_s[0]}){_s[1:]}$", rf"\g<1>{_s[1:]}"))

_PLURAL_RULES = [(re.compile(p, re.IGNORECASE), r) for p, r in reversed(_PLURALS)]
_SINGULAR_RULES = [(re.compile(p, re.IGNORECASE), r) for p, r in reversed(_SINGULARS)]


def _apply(word: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    if not word or word.lower() in UNCOUNTABLE:
        return word
    for pattern, replacement in rules:
        if pattern.search(word):
            return pattern.sub(replacement, word, count=1)  # an unmatched group inserts ""
    return word


def pluralize(word: str) -> str:
    return _apply(word, _PLURAL_RULES)


def singularize(word: str) -> str:
    return _apply(word, _SINGULAR_RULES)


def collection_name(segment: str) -> str:
    """Usergrid's collection for a URL segment: plural of the lower-cased segment's singular."""
    return pluralize(singularize(segment.lower()))


def is_plural(word: str) -> bool:
    """A word names a collection when it is the collection of its own singular."""
    return collection_name(word) == word.lower()
