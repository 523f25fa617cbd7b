"""Unit tests of the Usergrid ql parser: syntax in, core query AST out, InvalidQuery for everything else."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from chalicelib.core.errors import InvalidQuery
from chalicelib.core.query import And, Compare, Contains, Exists, Node, Not, Or, Prefix, Query, Within, matches
from chalicelib.dialects.usergrid.ql import MAX_DEPTH, MAX_LENGTH, parse

UUID = "1a9356ba-1682-11e3-a72a-81581bbaf055"
EXAMPLES = [
    "select * where name = 'milk'",
    f"name='milk' OR UUID={UUID}",
    "select * where price > 2.5 and (color = 'red' or color eq 'blue') order by price desc, name",
    "select name, price where not status = 'sold'",
    "location within 1000 of 37.774989, -122.419413",
    "select * where title contains 'tale two*'",
    "name = 'mil*'",
    "order by created desc",
    "select * where active = true and age >= 21",
    "where name = 'o\\'brien'",
]


def where(ql: str) -> Node | None:
    return parse(ql).where


def eq(field: str, value: Any) -> Compare:
    return Compare(field, "eq", value)


def error(ql: str) -> str:
    with pytest.raises(InvalidQuery) as info:
        parse(ql)
    message = str(info.value)
    assert "position" in message, message
    return message


def position(ql: str) -> int:
    m = re.search(r"position (\d+)", error(ql))
    assert m
    return int(m.group(1))


# --- the examples of the brief -----------------------------------------------------------------


def test_examples_parse_to_the_expected_ast() -> None:
    expected: list[Query] = [
        Query(where=eq("name", "milk"), select=["*"]),
        Query(where=Or((eq("name", "milk"), eq("uuid", UUID)))),
        Query(where=And((Compare("price", "gt", 2.5), Or((eq("color", "red"), eq("color", "blue"))))),
              order=[("price", True), ("name", False)], select=["*"]),
        Query(where=Not(eq("status", "sold")), select=["name", "price"]),
        Query(where=Within("location", 1000.0, 37.774989, -122.419413)),
        Query(where=Contains("title", "tale two*"), select=["*"]),
        Query(where=Prefix("name", "mil")),
        Query(order=[("created", True)]),
        Query(where=And((eq("active", True), Compare("age", "gte", 21))), select=["*"]),
        Query(where=eq("name", "o'brien")),
    ]
    for q in expected:
        q.fold_case = True  # Usergrid's property names match in any case (core/casefold.py)
    assert [parse(q) for q in EXAMPLES] == expected


def test_limit_and_cursor_are_passed_through() -> None:
    q = parse("name = 'x'", 25, "abc")
    assert (q.limit, q.cursor) == (25, "abc")
    assert parse(None) == Query()
    assert parse(None, 5, "c") == Query(limit=5, cursor="c")


@pytest.mark.parametrize("ql", [None, "", "   ", "\t\n "])
def test_empty_query_matches_everything(ql: str | None) -> None:
    assert parse(ql) == Query(where=None, order=[], select=None)


# --- clauses --------------------------------------------------------------------------------------


def test_select_forms() -> None:
    assert parse("select *").select == ["*"]
    assert parse("select * where a = 1").select == ["*"]
    assert parse("select a, b.c, d").select == ["a", "b.c", "d"]
    assert parse("select a,b.c ,d where x = 1") == Query(where=eq("x", 1), select=["a", "b.c", "d"], fold_case=True)
    assert parse("SELECT * WHERE a = 1 ORDER BY b DESC") == Query(where=eq("a", 1), order=[("b", True)], select=["*"],
                                                                 fold_case=True)
    assert parse("select * a = 1").where == eq("a", 1)  # `where` is optional
    assert parse("select UUID, name").select == ["uuid", "name"]
    assert parse("select * order by a") == Query(order=[("a", False)], select=["*"], fold_case=True)
    assert parse("a = 1").select is None


def test_where_keyword_is_optional() -> None:
    assert where("where a = 1") == where("a = 1") == eq("a", 1)
    assert where("WHERE a = 1") == eq("a", 1)


@pytest.mark.parametrize("ql, order", [
    ("order by a", [("a", False)]),
    ("order by a asc", [("a", False)]),
    ("order by a DESC", [("a", True)]),
    ("order by a desc, b, c asc, d desc", [("a", True), ("b", False), ("c", False), ("d", True)]),
    ("ORDER BY location.latitude Desc", [("location.latitude", True)]),
    ("order by UUID", [("uuid", False)]),
    ("order by desc desc", [("desc", True)]),
    ("order by order", [("order", False)]),
    ("a = 1 order by b", [("b", False)]),
])
def test_order_by(ql: str, order: list[tuple[str, bool]]) -> None:
    assert parse(ql).order == order


# --- comparisons and values -------------------------------------------------------------------------


@pytest.mark.parametrize("op, name", [
    ("=", "eq"), ("<", "lt"), ("<=", "lte"), (">", "gt"), (">=", "gte"),
    ("eq", "eq"), ("lt", "lt"), ("lte", "lte"), ("gt", "gt"), ("gte", "gte"),
    ("EQ", "eq"), ("Gte", "gte"),
])
def test_every_operator(op: str, name: str) -> None:
    assert where(f"price {op} 3") == Compare("price", name, 3)
    if not op.isalpha():
        assert where(f"price{op}3") == where(f"price {op}3") == Compare("price", name, 3)


@pytest.mark.parametrize("literal, value", [
    ("0", 0), ("42", 42), ("-7", -7), ("2.5", 2.5), ("-0.25", -0.25), (".5", 0.5), ("3.", 3.0),
    ("1e3", 1000.0), ("1.5E-2", 0.015), ("-2e+2", -200.0),
    ("true", True), ("false", False), ("TRUE", True), ("False", False),
    ("'milk'", "milk"), ("''", ""),
    ("'two words'", "two words"), ("'o\\'brien'", "o'brien"), ("'o''brien'", "o'brien"),
    ("'a\"b'", 'a"b'),
    ("'back\\\\slash'", "back\\slash"), ("'tab\\there'", "tab\there"), ("'\\u00e9t\\u00E9'", "été"),
    ("'caf\u00e9'", "caf\u00e9"), ("'and or not = ( )'", "and or not = ( )"), ("'a*b'", "a*b"),
    (UUID, UUID), (UUID.upper(), UUID.upper()), ("'" + UUID + "'", UUID),
])
def test_literals(literal: str, value: Any) -> None:
    node = where(f"f = {literal}")
    assert node == Compare("f", "eq", value)
    assert isinstance(node, Compare) and type(node.value) is type(value)


def test_ints_stay_ints_and_floats_stay_floats() -> None:
    assert isinstance(where("a = 10"), Compare) and where("a = 10") == Compare("a", "eq", 10)
    node = where("a = 10.0")
    assert isinstance(node, Compare) and isinstance(node.value, float)
    node = where("a = true")
    assert isinstance(node, Compare) and node.value is True


def test_uuid_in_parentheses_and_before_keywords() -> None:
    assert where(f"(uuid = {UUID})") == eq("uuid", UUID)
    assert where(f"uuid = {UUID} or a = 1") == Or((eq("uuid", UUID), eq("a", 1)))


@pytest.mark.parametrize("ql, field", [
    ("name = 'x'", "name"), ("location.latitude > 3", "location.latitude"), ("a.b.c = 1", "a.b.c"),
    ("_id = 1", "_id"), ("$ref = 1", "$ref"), ("x2_y$ = 1", "x2_y$"), ("CamelCase = 1", "camelcase"),
    ("UUID = 1", "uuid"), ("Uuid = 1", "uuid"), ("uuid = 1", "uuid"), ("a.UUID = 1", "a.uuid"),
    ("uuids = 1", "uuids"),
])
def test_field_names(ql: str, field: str) -> None:
    node = where(ql)
    assert isinstance(node, Compare) and node.field == field


@pytest.mark.parametrize("ql, node", [
    ("desc contains 'whole'", Contains("desc", "whole")),
    ("order = 2", eq("order", 2)),
    ("select = 'x'", eq("select", "x")),
    ("where = 'x'", eq("where", "x")),
    ("not = 1", eq("not", 1)),
    ("not eq = 1", Not(eq("eq", 1))),
    ("limit = 5", eq("limit", 5)),
    ("select * where order >= 2 order by order", Compare("order", "gte", 2)),
    ("and = 1 and or = 2", And((eq("and", 1), eq("or", 2)))),
])
def test_keywords_followed_by_an_operator_are_field_names(ql: str, node: Node) -> None:
    assert where(ql) == node


# --- prefix, exists, contains, within ------------------------------------------------------------------


def test_prefix_and_exists() -> None:
    assert where("name = 'mil*'") == Prefix("name", "mil")
    assert where("name = 'two words*'") == Prefix("name", "two words")
    assert where("name = '*'") == Exists("name")
    assert where("name = '**'") == Prefix("name", "*")
    assert where("not name = 'mil*'") == Not(Prefix("name", "mil"))


@pytest.mark.parametrize("ql", ["name != 'go'", "name ne 'go'", "a <> 1", 'name = "go"', "name = bob"])
def test_not_in_usergrid_grammar(ql: str) -> None:
    """BadGrammarQueryTest: no not-equal operator, no double-quoted or bare string values."""
    with pytest.raises(InvalidQuery):
        parse(ql)


def test_symbolic_and_or() -> None:
    assert where("a = 1 && b = 2 || c = 3") == where("a = 1 and b = 2 or c = 3")
    assert parse("select {label: name} where a = 1").aliases == {"label": "name"}

def test_star_only_matters_unescaped_at_the_end_and_with_equality() -> None:
    assert where("name = 'mil\\*'") == eq("name", "mil*")
    assert where("name = '*milk'") == eq("name", "*milk")
    assert where("name > 'mil*'") == Compare("name", "gt", "mil*")
    assert where("name <= 'mil*'") == Compare("name", "lte", "mil*")


def test_contains_keeps_the_text() -> None:
    assert where("title contains 'tale two*'") == Contains("title", "tale two*")
    assert where("title CONTAINS 'cities'") == Contains("title", "cities")
    assert where("title contains 'o\\'brien'") == Contains("title", "o'brien")
    assert "quoted string" in error("title contains cities")
    assert "quoted string" in error("title contains 5")


@pytest.mark.parametrize("ql, node", [
    ("location within 1000 of 37.774989, -122.419413", Within("location", 1000.0, 37.774989, -122.419413)),
    ("location within 1000 of 37.774989,-122.419413", Within("location", 1000.0, 37.774989, -122.419413)),
    ("location within 1000 of 37.774989 ,-122.419413", Within("location", 1000.0, 37.774989, -122.419413)),
    ("loc WITHIN 0.5 OF -33 , 151", Within("loc", 0.5, -33.0, 151.0)),
    ("loc within 1e4 of 0, 0", Within("loc", 10000.0, 0.0, 0.0)),
    ("loc within 10 of 90, 180", Within("loc", 10.0, 90.0, 180.0)),
    ("loc within 10 of -90, -180", Within("loc", 10.0, -90.0, -180.0)),
    ("a.loc within 10 of 1,2 and b = 1", And((Within("a.loc", 10.0, 1.0, 2.0), eq("b", 1)))),
])
def test_within(ql: str, node: Node) -> None:
    parsed = where(ql)
    assert parsed == node
    leaf = parsed.children[0] if isinstance(parsed, And) else parsed
    assert isinstance(leaf, Within)
    assert all(type(x) is float for x in (leaf.radius_m, leaf.lat, leaf.lon))


@pytest.mark.parametrize("ql, expected", [
    ("loc within of 1, 2", "radius"),
    ("loc within 10 1, 2", "'of'"),
    ("loc within 10 of 1 2", "','"),
    ("loc within 10 of 1,", "longitude"),
    ("loc within 10 of 'a', 2", "latitude"),
    ("loc within -1 of 1, 2", "radius"),
    ("loc within 10 of 91, 2", "latitude"),
    ("loc within 10 of 1, -181", "longitude"),
    ("loc within 10 of 1; 2", "unexpected character"),
])
def test_within_errors(ql: str, expected: str) -> None:
    assert expected in error(ql)


# --- boolean structure --------------------------------------------------------------------------------


def test_precedence_not_over_and_over_or() -> None:
    a, b, c, d = (eq(x, 1) for x in "abcd")
    assert where("a = 1 or b = 1 and c = 1") == Or((a, And((b, c))))
    assert where("a = 1 and b = 1 or c = 1") == Or((And((a, b)), c))
    assert where("not a = 1 and b = 1") == And((Not(a), b))
    assert where("not a = 1 or b = 1") == Or((Not(a), b))
    assert where("a = 1 and not b = 1 or not c = 1 and d = 1") == Or((And((a, Not(b))), And((Not(c), d))))
    assert where("not (a = 1 or b = 1)") == Not(Or((a, b)))
    assert where("not not a = 1") == Not(Not(a))
    assert where("(a = 1 or b = 1) and c = 1") == And((Or((a, b)), c))
    assert where("a = 1 AND b = 1 Or c = 1") == Or((And((a, b)), c))


def test_and_or_are_flattened() -> None:
    a, b, c, d = (eq(x, 1) for x in "abcd")
    assert where("a = 1 and b = 1 and c = 1 and d = 1") == And((a, b, c, d))
    assert where("a = 1 or b = 1 or c = 1") == Or((a, b, c))
    assert where("(a = 1 and b = 1) and (c = 1 and d = 1)") == And((a, b, c, d))
    assert where("a = 1 or (b = 1 or (c = 1 or d = 1))") == Or((a, b, c, d))
    assert where("((a = 1))") == a
    assert where("(a = 1 and b = 1) or (c = 1 and d = 1)") == Or((And((a, b)), And((c, d))))
    assert where("not (a = 1 and b = 1) and c = 1") == And((Not(And((a, b))), c))
    node = where("a = 1 and (b = 1 and c = 1)")
    assert isinstance(node, And) and isinstance(node.children, tuple) and len(node.children) == 3


def test_parsed_queries_match_documents() -> None:
    doc = {"name": "Milk", "price": 3.25, "tags": ["dairy"], "desc": "fresh whole milk",
           "location": {"latitude": 37.7749, "longitude": -122.4194}, "stock": True}
    hits = ["name = 'milk'", "name = 'mil*'", "price > 3 and price < 4", "tags = 'dairy'", "desc contains 'whol*'",
            "location within 100 of 37.775, -122.4195", "not name = 'bread'", "stock = true", "name = '*'",
            "name = 'bread' or price >= 3.25"]
    misses = ["name = 'bread'", "price > 4", "not name = 'mil*'", "missing = '*'", "stock = false",
              "location within 10 of 40, -74"]
    assert all(matches(where(q), doc) for q in hits)
    assert not any(matches(where(q), doc) for q in misses)


# --- errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ql, pos, expected", [
    ("select * where name = ", 22, "expected a value"),
    ("where name = foo", 13, "expected a value"),
    ("name = 'milk", 7, "unterminated string"),
    ("name = \"milk", 7, "unexpected character"),
    ("name = 'milk\\'", 7, "unterminated string"),
    ("name 'milk'", 5, "expected an operator"),
    ("name == 'milk'", 6, "expected a value"),
    ("(a = 1", 6, "expected ')'"),
    ("a = 1)", 5, "'and', 'or', 'order by' or end of query"),
    ("()", 1, "expected a condition"),
    ("a = 1 and", 9, "expected a condition"),
    ("a = 1 or or b = 2", 9, "expected a condition"),
    ("and a = 1", 0, "expected a condition"),
    ("select * where order by a", 15, "expected a condition"),
    ("a = 1 and order by b", 10, "expected a condition"),
    ("a = 1 b = 2", 6, "'and', 'or', 'order by' or end of query"),
    ("select", 6, "expected '*' or a field name"),
    ("select a,", 9, "expected a field name"),
    ("select *, a", 8, "expected a condition"),
    ("select where a = 1", 7, "expected '*' or a field name"),
    ("where", 5, "expected a condition"),
    ("not", 3, "expected a condition"),
    ("order a", 6, "expected 'by'"),
    ("order by", 8, "expected a field name"),
    ("order by a,", 11, "expected a field name"),
    ("order by a desc b", 16, "expected ',' or end of query"),
    ("order by a where b = 1", 11, "expected ',' or end of query"),
    ("a = 1 limit 5", 6, "use the limit parameter"),
    ("limit 5", 0, "use the limit parameter"),
    ("select * where a = 1 order by b LIMIT 10", 32, "use the limit parameter"),
    ("first-name = 'x'", 0, "malformed field name"),
    ("a. = 1", 0, "malformed field name"),
    ("a..b = 1", 0, "malformed field name"),
    ("1abc = 1", 0, "malformed number"),
    ("a = 12abc", 4, "malformed number"),
    ("a = 1.2.3", 4, "malformed number"),
    ("a = 1e999", 4, "number out of range"),
    ("a = -", 4, "unexpected character"),
    ("a = #", 4, "unexpected character"),
    ("a = 1 & b = 2", 6, "unexpected character"),
    ("a = milk", 4, "expected a value"),
    ("a = null", 4, "expected a value"),
    ("a = (1)", 4, "expected a value"),
    ("'milk' = name", 0, "expected a condition"),
    ("5 = a", 0, "expected a condition"),
    ("a = 'x' contains 'y'", 8, "'and', 'or', 'order by' or end of query"),
    ("a = '\\u12'", 5, "invalid \\u escape"),
    ("a = '\\ud800'", 5, "invalid \\u escape"),
    ("a = 1a9356ba-1682-11e3-a72a-81581bbaf05", 4, "malformed number"),
])
def test_errors_name_the_position(ql: str, pos: int, expected: str) -> None:
    message = error(ql)
    assert message.startswith(f"ql syntax error at position {pos} near "), message
    assert expected in message, message


def test_error_message_shape_and_details() -> None:
    with pytest.raises(InvalidQuery) as info:
        parse("where name = foo")
    assert str(info.value) == info.value.message
    assert info.value.message == ("ql syntax error at position 13 near 'foo': "
                                  "expected a value (a quoted string, number, true, false or uuid)")
    assert info.value.details == {"position": 13}
    assert "near end of input" in error("a =")


def test_near_text_is_truncated() -> None:
    message = error("a = 'unterminated " + "x" * 500)
    assert len(message) < 200


def test_length_cap() -> None:
    ok = "a = '" + "x" * (MAX_LENGTH - 6) + "'"
    assert len(ok) == MAX_LENGTH and isinstance(parse(ok), Query)
    assert "longer than" in error("a = '" + "x" * MAX_LENGTH + "'")
    assert "longer than" in error(" " * (MAX_LENGTH + 1))
    assert position("x" * (MAX_LENGTH + 1)) == MAX_LENGTH


def test_nesting_is_capped_without_recursion_error() -> None:
    shallow = "(" * (MAX_DEPTH - 1) + "a = 1" + ")" * (MAX_DEPTH - 1)
    assert where(shallow) == eq("a", 1)
    for ql in ["(" * 1000 + "a = 1" + ")" * 1000, "not " * 900 + "a = 1", "(" * 3999, "(not " * 700]:
        assert "nested too deeply" in error(ql)


def test_long_flat_queries_are_fine() -> None:
    ql = " or ".join(f"a{i} = {i}" for i in range(300))
    assert len(ql) <= MAX_LENGTH
    node = where(ql)
    assert isinstance(node, Or) and len(node.children) == 300


# --- robustness ----------------------------------------------------------------------------------------

_VOCAB = ["select", "*", "where", "and", "or", "not", "(", ")", ",", "=", "<", "<=", ">", ">=", "!=", "eq", "ne",
          "lt", "gte", "contains", "within", "of", "order", "by", "asc", "desc", "limit", "name", "a.b", "UUID",
          "'milk'", "'mil*'", "'*'", '"x"', "'", '"', "\\", "1", "-2.5", "1e3", "-", ".", "true", "false", UUID,
          "'o\\'b'", "''", "é", "\x00", "#", "!", "$x", "_"]


def _ok_or_invalid(ql: str) -> None:
    try:
        result = parse(ql)
    except InvalidQuery as exc:
        m = re.match(r"ql syntax error at position (\d+) near ", exc.message)
        assert m, (ql, exc.message)
        assert 0 <= int(m.group(1)) <= max(len(ql), MAX_LENGTH), (ql, exc.message)
    else:
        assert isinstance(result, Query)


def test_every_prefix_and_suffix_of_the_examples() -> None:
    for ql in EXAMPLES:
        for i in range(len(ql) + 1):
            _ok_or_invalid(ql[:i])
            _ok_or_invalid(ql[i:])


def test_random_mutations_only_ever_raise_invalid_query() -> None:
    rng = random.Random(20240611)
    alphabet = "abcxyz019 .,-_$*'\"\\()=<>!#é\t\n"
    for _ in range(3000):
        chars = list(rng.choice(EXAMPLES))
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(chars) + 1)
            op = rng.random()
            if op < 0.33 and i < len(chars):
                del chars[i]
            elif op < 0.66:
                chars.insert(i, rng.choice(alphabet))
            elif i < len(chars):
                chars[i] = rng.choice(alphabet)
        _ok_or_invalid("".join(chars))


def test_random_token_soup_only_ever_raises_invalid_query() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        words = [rng.choice(_VOCAB) for _ in range(rng.randint(1, 12))]
        _ok_or_invalid(rng.choice([" ", ""]).join(words))


def test_random_bytes_only_ever_raise_invalid_query() -> None:
    rng = random.Random(99)
    for _ in range(1000):
        _ok_or_invalid("".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 40))))
    for size in (MAX_LENGTH - 1, MAX_LENGTH, MAX_LENGTH + 1, 100_000):
        _ok_or_invalid("(" * size)
        _ok_or_invalid("'" * size)
        _ok_or_invalid("a = 1 and " * (size // 10))
        _ok_or_invalid("9" * size)
