"""English plurals for collection names, as Usergrid names collections by the plural of the type."""

from __future__ import annotations

_IRREGULAR = {
    "person": "people", "man": "men", "woman": "women", "child": "children", "mouse": "mice",
    "goose": "geese", "tooth": "teeth", "foot": "feet", "ox": "oxen", "datum": "data",
    "medium": "media", "criterion": "criteria", "index": "indices", "matrix": "matrices",
    "cactus": "cacti", "octopus": "octopi", "analysis": "analyses", "crisis": "crises",
    "thesis": "theses", "leaf": "leaves", "knife": "knives", "wife": "wives", "life": "lives",
    "wolf": "wolves", "half": "halves", "shelf": "shelves", "calf": "calves", "elf": "elves",
    "loaf": "loaves", "thief": "thieves", "potato": "potatoes", "tomato": "tomatoes",
    "hero": "heroes", "echo": "echoes", "quiz": "quizzes", "status": "statuses",
    "bus": "buses", "alias": "aliases",
}
_UNCOUNTABLE = {
    "sheep", "fish", "deer", "series", "species", "money", "rice", "information", "equipment",
    "news", "data", "media", "moose", "bison", "aircraft", "software", "feedback",
}
_SINGULAR = {v: k for k, v in _IRREGULAR.items()}


def pluralize(word: str) -> str:
    lower = word.lower()
    if lower in _UNCOUNTABLE:
        return word
    if lower in _IRREGULAR:
        return _keep_case(word, _IRREGULAR[lower])
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def singularize(word: str) -> str:
    lower = word.lower()
    if lower in _UNCOUNTABLE:
        return word
    if lower in _SINGULAR:
        return _keep_case(word, _SINGULAR[lower])
    if lower in _IRREGULAR:
        return word
    if lower.endswith("ies") and len(lower) > 3:
        return word[:-3] + "y"
    for suffix in ("sses", "xes", "zzes", "ches", "shes", "uses"):
        if lower.endswith(suffix):
            return word[:-2] if suffix != "zzes" else word[:-3]
    if lower.endswith("s") and not lower.endswith("ss"):
        return word[:-1]
    return word


def is_plural(word: str) -> bool:
    """A word names a collection when it already is the plural of its own singular."""
    return pluralize(singularize(word)).lower() == word.lower() and singularize(word).lower() != word.lower() or word.lower() in _UNCOUNTABLE


def _keep_case(original: str, replacement: str) -> str:
    return replacement.capitalize() if original[:1].isupper() else replacement
