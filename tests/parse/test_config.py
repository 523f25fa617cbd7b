"""`/parse/config`: parameters for every client, some for the master key only."""

from __future__ import annotations

from .conftest import Parse


def test_config_round_trip_with_master_only_parameters(parse: Parse) -> None:
    assert parse.get("config").json == {"params": {}}
    r = parse.put("config", {"params": {"welcome": "hi", "level": 3}})
    assert r.status_code == 403 and r.json == {"error": "Permission denied"}, r.body
    r = parse.put("config", {"params": {"welcome": "hi", "level": 3, "when": {"__type": "Date", "iso": "2024-01-01T00:00:00.000Z"}},
                             "masterKeyOnly": {"level": True}}, master=True)
    assert r.status_code == 200 and r.json == {"result": True}, r.body
    got = parse.get("config").json
    assert got["params"] == {"welcome": "hi", "when": {"__type": "Date", "iso": "2024-01-01T00:00:00.000Z"}}
    assert "level" not in got.get("masterKeyOnly", {})
    got = parse.get("config", master=True).json
    assert got["params"]["level"] == 3 and got["masterKeyOnly"] == {"welcome": False, "level": True, "when": False}
    # a later PUT changes only what it names; {"__op": "Delete"} removes a parameter
    parse.put("config", {"params": {"level": 4, "welcome": {"__op": "Delete"}}, "masterKeyOnly": {"level": True}},
              master=True)
    got = parse.get("config", master=True).json
    assert got["params"] == {"level": 4, "when": {"__type": "Date", "iso": "2024-01-01T00:00:00.000Z"}}


def test_bad_config_bodies(rest: Parse) -> None:
    assert rest.put("config", {"params": ["x"]}, master=True).json["code"] == 107
    assert rest.put("config", {"params": {"a.b": 1}}, master=True).json["code"] == 107
    assert rest.put("config", {"params": {"big": "x" * 200_000}}, master=True).status_code == 413
    assert rest.post("config", {}, master=True).status_code == 404
    r = rest.get("config", auth=False)
    assert r.status_code == 403 and r.json == {"error": "unauthorized"}, r.body
