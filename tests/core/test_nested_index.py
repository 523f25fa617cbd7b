"""Nested properties are indexed: the entries a document owns, and that the index holds every match.

Pure unit tests (no AWS): `entries_for` on hand-written documents, the index name of query paths,
the MAX_ENTRIES boundary, and a randomized check of the invariant the planner relies on: every
value `matches` can see at a path has an entry in the index that path reads.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from chalicelib.core import indexing
from chalicelib.core.errors import TooLarge
from chalicelib.core.indexing import MAX_ENTRIES, MAX_LEVELS, PRESENT, Entry, encode, entries_for, index_name
from chalicelib.core.query import Compare, Contains, Exists, matches


def flat(doc: dict[str, Any]) -> set[Entry]:
    return {e for es in entries_for(doc).values() for e in es}


def names(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e.prop, e.enc) for e in flat(doc)}


def test_nested_leaves_are_indexed_under_their_dotted_path() -> None:
    doc = {"address": {"city": "Raleigh", "geo": {"zip": 27601}}, "n": 1}
    got = entries_for(doc)
    assert set(got) == {"address", "n"}  # grouped by top-level property: `pv` versions them together
    assert got["address"] == {Entry("address.city", "sraleigh"), Entry("address.geo.zip", encode(27601)),
                              Entry("address", PRESENT), Entry("address.geo", PRESENT)}
    assert got["n"] == {Entry("n", encode(1))}


def test_array_levels_are_elided() -> None:
    doc = {"items": [{"sku": "S1", "qty": 1}, {"sku": "s2", "qty": 1}], "a": [[{"b": 1}]], "m": [[1, 2], 3]}
    got = names(doc)
    assert {("items.sku", "ss1"), ("items.sku", "ss2"), ("items.qty", encode(1))} <= got
    assert ("a.b", encode(1)) in got
    assert {("m", encode(1)), ("m", encode(2)), ("m", encode(3))} <= got
    assert len([e for e in got if e[0] == "items.qty"]) == 1  # equal values of several elements: one entry


def test_nested_multiword_strings_get_keywords() -> None:
    got = names({"address": {"street": "Main Street North"}})
    assert {("address.street#kw", w) for w in ("main", "street", "north")} <= got
    assert ("address.street", "smain street north") in got


def test_one_word_with_punctuation_gets_its_keyword() -> None:
    """`contains 'word7'` must find "Word7!": its value entry is not the keyword, so the keyword is written."""
    assert names({"t": "Word7!"}) == {("t", "sword7!"), ("t#kw", "word7")}
    assert names({"t": "Word7"}) == {("t", "sword7")}  # the value entry serves as its keyword
    assert matches(Contains("t", "word7"), {"t": "Word7!"})


def test_typed_values_are_one_entry_and_location_stays_a_geohash() -> None:
    when = {"__type": "Date", "iso": "2011-08-21T18:02:52.249Z"}
    ptr = {"__type": "Pointer", "className": "Player", "objectId": "Ab1"}
    got = entries_for({"meta": {"when": when, "by": ptr}, "location": {"latitude": 35.7, "longitude": -78.6}})
    assert got["meta"] == {Entry("meta.when", encode(when)), Entry("meta.by", encode(ptr)), Entry("meta", PRESENT)}
    assert [e.prop for e in got["location"]] == ["location#geo"]


def test_presence_markers_for_paths_without_scalars() -> None:
    got = names({"e": {}, "l": [], "o": {"x": None, "y": [{}]}, "s": "x"})
    assert {("e", PRESENT), ("l", PRESENT), ("o", PRESENT), ("o.x", PRESENT), ("o.y", PRESENT)} <= got
    assert ("s", PRESENT) not in got  # a scalar needs no marker


def test_ambiguous_keys_are_not_indexed_and_cannot_collide() -> None:
    doc = {"a": {"b.c": 1, "b#kw": "x", "sp ace": 2, "": 3, "\x01": 4, "ok": 5}}
    got = names(doc)
    assert {n for n, _ in got} == {"a", "a.ok"}  # `a.b.c` would read as a -> b -> c, `a.b#kw` as a keyword index
    # digit and `*` keys read like array steps in a path (`a.0`), so they are elided like arrays
    assert names({"a": {"0": {"b": 1}, "*": {"b": 2}}}) >= {("a.b", encode(1)), ("a.b", encode(2))}


def test_depth_limit() -> None:
    deep: Any = "leaf"
    for _ in range(MAX_LEVELS - 1):
        deep = {"k": deep}
    path = ".".join(["top"] + ["k"] * (MAX_LEVELS - 1))
    assert (path, "sleaf") in names({"top": deep})  # the leaf is at level MAX_LEVELS: indexed
    assert {n for n, _ in names({"top": {"k": deep}})} == {".".join(["top"] + ["k"] * i) for i in range(MAX_LEVELS)}
    assert index_name(path) == path and index_name(path + ".k") is None
    # and matching stops at the same level, so what the index leaves out no query can match
    assert matches(Compare(path, "eq", "leaf"), {"top": deep})
    assert not matches(Compare(path + ".k", "eq", "leaf"), {"top": {"k": deep}})


@pytest.mark.parametrize(("path", "name"), [
    ("address.city", "address.city"), ("items.*.sku", "items.sku"), ("items.0.qty", "items.qty"),
    ("items.-1.qty", "items.qty"), ("a.*.*.b", "a.b"), ("tags.*", "tags"), ("n", "n"),
    ("location", "location"), ("location.latitude", None), ("uuid", None), ("metadata.x", None),
    ("a.b c", None), ("a.b#kw", None), ("*.a", None), ("a..b", None), ("a." + "x" * 300, None),
])
def test_index_name_of_query_paths(path: str, name: str | None) -> None:
    assert index_name(path) == name


def test_max_entries_boundary() -> None:
    exact = {"v": list(range(MAX_ENTRIES - 3)), "created": 1, "modified": 2}  # + v's multi-value marker
    assert sum(map(len, entries_for(exact).values())) == MAX_ENTRIES
    over = {**exact, "x": 0.5}
    with pytest.raises(TooLarge):
        entries_for(over)
    assert sum(map(len, entries_for(over, check=False).values())) == MAX_ENTRIES + 1  # reads never fail
    # the moderately nested document: 50 elements of 5 fields, 316 entries when all are short...
    def order(note: Any) -> dict[str, Any]:
        return {"created": 1, "modified": 2, "name": "order 1", "items": [
            {"sku": f"SKU{i:04}", "qty": i, "price": i + 0.5, "ok": i % 2 == 0, "note": note(i)} for i in range(50)]}

    assert sum(map(len, entries_for(order(lambda i: f"for room {i}b shelf {i}c")).values())) == 316  # 5 markers
    # ...and over the old bound of 400 as soon as one field is a short free text of distinct words
    n = sum(map(len, entries_for(order(lambda i: f"{i}a {i}b {i}c {i}d")).values()))
    assert 400 < n <= MAX_ENTRIES, n


# -- the invariant: every value matching sees at a path is in that path's index ---------------------
KEYS = ["a", "b", "0", "*", "x.y", "k#kw"]


def _rand_value(rng: random.Random, depth: int) -> Any:
    r = rng.random()
    if depth > 4 or r < 0.4:
        return rng.choice([1, 2, "One", "one two", True, None, 2.5, {"__type": "Date", "iso": "2020-01-01T00:00:00Z"}])
    if r < 0.7:
        return [_rand_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): _rand_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def test_index_holds_every_match_randomized() -> None:
    rng = random.Random(7)
    segs = ["a", "b", "0", "*", "-1"]
    for _ in range(400):
        doc = {"p": _rand_value(rng, 0), "q": {"a": _rand_value(rng, 1)}}
        entries = flat(doc)
        for _ in range(10):
            path = ".".join([rng.choice(["p", "q"])] + [rng.choice(segs) for _ in range(rng.randint(0, 4))])
            name = index_name(path)
            assert name is not None, path
            in_index = {e.enc for e in entries if e.prop == name}
            for v in (1, 2, "one", "ONE TWO", True, 2.5, {"__type": "Date", "iso": "2020-01-01T00:00:00Z"}):
                if matches(Compare(path, "eq", v), doc):
                    assert encode(v) in in_index, (doc, path, v)
            if matches(Exists(path), doc):
                assert in_index, (doc, path)


def test_grouping_keeps_names_inside_their_property() -> None:
    """No entry of one top-level property can land in another property's index (pv would not cover it)."""
    got = entries_for({"a": {"b": 1, "c": [{"d": "x y"}]}, "ab": 1, "a-b": {"c": 1}})
    for prop, es in got.items():
        for e in es:
            base = e.prop.split(indexing.KEYWORD_SUFFIX)[0]
            assert base == prop or base.startswith(prop + "."), (prop, e)
