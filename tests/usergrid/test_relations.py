"""Connections, events and counters, activities and feeds (issue 3, the rest of Usergrid)."""

from __future__ import annotations

import threading
from typing import Any

B = "/usergrid/acme/sandbox"


def names(r: Any, key: str = "name") -> list[str]:
    assert r.status_code == 200, r.body
    return [e.get(key) for e in r.json["entities"]]


def test_connections_both_ways(api: Any, org: dict[str, Any]) -> None:
    api.post(f"{B}/users", [{"username": "ann"}, {"username": "bob"}])
    api.post(f"{B}/items", [{"name": "milk", "price": 3}, {"name": "bread", "price": 2}, {"name": "jam", "price": 5}])
    assert api.post(f"{B}/users/ann/likes/items/milk").status_code == 200
    assert api.post(f"{B}/users/ann/likes/items/bread").status_code == 200
    jam = api.get(f"{B}/items/jam").json["entities"][0]
    assert api.post(f"{B}/users/ann/likes/{jam['uuid']}").status_code == 200  # by uuid alone
    assert api.post(f"{B}/users/bob/likes/items/milk").status_code == 200
    assert sorted(names(api.get(f"{B}/users/ann/likes"))) == ["bread", "jam", "milk"]
    assert names(api.get(f"{B}/users/ann/likes?ql=price%20%3E%202")) == ["jam", "milk"]  # newest connection first
    assert sorted(names(api.get(f"{B}/items/milk/connecting/likes"), "username")) == ["ann", "bob"]
    # paging
    r = api.get(f"{B}/users/ann/likes?limit=2")
    assert r.json["count"] == 2 and r.json["cursor"]
    r2 = api.get(f"{B}/users/ann/likes?limit=2&cursor={r.json['cursor']}")
    assert len(names(r2)) == 1 and set(names(r) + names(r2)) == {"milk", "bread", "jam"}
    # delete a connection
    assert api.delete(f"{B}/users/ann/likes/items/milk").status_code == 200
    assert sorted(names(api.get(f"{B}/users/ann/likes"))) == ["bread", "jam"]
    assert names(api.get(f"{B}/items/milk/connecting/likes"), "username") == ["bob"]
    # errors
    assert api.post(f"{B}/users/ann/likes/items/nothing").status_code == 404
    assert api.post(f"{B}/users/ann/bad%20verb/items/milk").status_code == 400


def test_connection_listing_is_a_query_not_a_scan(api: Any, org: dict[str, Any]) -> None:
    api.post(f"{B}/users", {"username": "ann"})
    api.post(f"{B}/items", [{"name": f"i{i}"} for i in range(30)])
    api.post(f"{B}/users/ann/likes/items/i3")
    cost = api.get(f"{B}/users/ann/likes").headers["X-Request-Cost"]
    assert "Scan" not in cost and "Query:1" in cost


def test_events_feed_counters(api: Any, org: dict[str, Any]) -> None:
    t = 1_700_000_000_000
    r = api.post(f"{B}/events", {"counters": {"clicks": 2, "views": 1}, "timestamp": t})
    assert r.status_code == 200 and r.json["entities"][0]["type"] == "event"
    api.post(f"{B}/events", {"counters": {"clicks": 3}, "timestamp": t + 3_600_000})
    assert sorted(api.get(f"{B}/counters").json["data"]) == ["clicks", "views"]
    r = api.get(f"{B}/counters?counter=clicks&counter=views&resolution=all")
    got = {c["name"]: c["values"] for c in r.json["counters"]}
    assert got["clicks"][0]["value"] == 5 and got["views"][0]["value"] == 1
    r = api.get(f"{B}/counters?counter=clicks&resolution=hour&start_time={t - 7_200_000}&end_time={t + 7_200_000}")
    assert [v["value"] for v in r.json["counters"][0]["values"]] == [2, 3]
    assert api.get(f"{B}/counters?counter=clicks&resolution=fortnight").status_code == 400
    assert api.post(f"{B}/events", {"counters": {"bad name": 1}}).status_code == 400
    assert api.post(f"{B}/events", {"counters": {"x": "lots"}}).status_code == 400


def test_concurrent_events_lose_nothing(svc: Any, atomic_dynamodb: None) -> None:
    series = svc.series()
    barrier = threading.Barrier(10)

    def work() -> None:
        barrier.wait()
        for _ in range(5):
            series.record("app-x", {"hits": 1}, 1_700_000_000_000)

    threads = [threading.Thread(target=work) for _ in range(10)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert series.read("app-x", ["hits"], "all", 0, 1_800_000_000_000)[0]["values"][0]["value"] == 50
    assert series.read("app-x", ["hits"], "day", 1_699_990_000_000, 1_700_100_000_000)[0]["values"][0]["value"] == 50


def test_activities_and_feeds(api: Any, org: dict[str, Any]) -> None:
    api.post(f"{B}/users", [{"username": "ann", "name": "Ann"}, {"username": "bob"}, {"username": "cy"}])
    assert api.post(f"{B}/users/bob/following/users/ann").status_code == 200  # bob follows ann
    r = api.post(f"{B}/users/ann/activities", {"verb": "post", "content": "hello", "object": {"type": "note"}})
    assert r.status_code == 200
    act = r.json["entities"][0]
    assert act["type"] == "activity" and act["actor"]["username"] == "ann" and act["content"] == "hello"
    api.post(f"{B}/users/ann/activities", {"verb": "post", "content": "second"})
    assert [e["content"] for e in api.get(f"{B}/users/ann/activities").json["entities"]] == ["second", "hello"]
    assert [e["content"] for e in api.get(f"{B}/users/bob/feed").json["entities"]] == ["second", "hello"]
    assert api.get(f"{B}/users/cy/feed").json["entities"] == []
    # groups: members get the group's activities in their feeds
    api.post(f"{B}/groups", {"path": "club"})
    api.post(f"{B}/groups/club/users/cy")
    assert api.post(f"{B}/groups/club/activities", {"verb": "post", "content": "meeting"}).status_code == 200
    assert [e["content"] for e in api.get(f"{B}/users/cy/feed").json["entities"]] == ["meeting"]
    assert [e["content"] for e in api.get(f"{B}/groups/club/activities").json["entities"]] == ["meeting"]
    assert [e["content"] for e in api.get(f"{B}/groups/club/feed").json["entities"]] == ["meeting"]


def test_assets(api: Any, org: dict[str, Any]) -> None:
    api.post(f"{B}/pictures", {"name": "cat"})
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    r = api.call("PUT", f"{B}/pictures/cat", raw=png, headers={"Content-Type": "image/png"})
    assert r.status_code == 200, r.body
    meta = r.json["entities"][0]["file-metadata"]
    assert meta["content-type"] == "image/png" and meta["content-length"] == len(png)
    r = api.call("GET", f"{B}/pictures/cat", headers={"Accept": "image/png"})
    assert r.status_code == 200 and r.body == png and r.headers["Content-Type"] == "image/png"
    # JSON still comes back as JSON
    assert api.get(f"{B}/pictures/cat").json["entities"][0]["name"] == "cat"
    # big uploads: a presigned PUT straight to S3
    r = api.post(f"{B}/pictures/cat/asset", {"content-type": "video/mp4"})
    assert r.status_code == 200 and r.json["data"]["upload_url"].startswith("http")
    api.post(f"{B}/pictures", {"name": "dog"})
    assert api.call("GET", f"{B}/pictures/dog", headers={"Accept": "image/png"}).status_code == 404


def test_an_update_from_an_older_read_keeps_the_verbs_a_connect_added(svc: Any) -> None:
    """Writers never drop each other's changes: a connect adds its verb with the entity's version + 1,
    so an update that read the entity before it fails its condition and retries from the new verbs."""
    from chalicelib.core.auth import Principal

    svc.tenancy.signup(organization="o", username="adm", name="A", email="a@o.test", password="pw-pw-pw")
    app = svc.tenancy.create_app(svc.tenancy.org("o"), "prod")
    data = svc.data(app, Principal("app", app.uuid, app.uuid))
    ann = data.create_record("users", {"username": "ann"})
    data.create_record("items", {"name": "milk"})
    stale = data.record("users", "ann")
    data.connect("users", "ann", "likes", "milk", "items")
    data.update_record("users", ann.uuid, {"city": "Oslo"}, current=stale)
    now = data.record("users", "ann")
    assert now.out_verbs == ("likes",) and now.doc["city"] == "Oslo"
    assert data.record("items", "milk").in_verbs == ("likes",)


def test_connection_verbs_per_entity_are_bounded(api: Any, org: Any, monkeypatch: Any) -> None:
    """The verbs live on the entity item (whose document may hold 350 KB of its 400): a new verb past
    MAX_VERBS is a 400 in Usergrid's envelope, never a write DynamoDB refuses; known verbs still connect."""
    from chalicelib.core import connections

    monkeypatch.setattr(connections, "MAX_VERBS", 2)
    B = "/usergrid/acme/sandbox"
    api.post(f"{B}/users", {"username": "ann"})
    api.post(f"{B}/items", [{"name": "milk"}, {"name": "jam"}])
    assert api.post(f"{B}/users/ann/likes/items/milk").status_code == 200
    assert api.post(f"{B}/users/ann/owns/items/milk").status_code == 200
    r = api.post(f"{B}/users/ann/wants/items/jam")
    assert r.status_code == 400 and r.json["error"] == "illegal_argument", r.body
    assert api.post(f"{B}/users/ann/likes/items/jam").status_code == 200


def test_connects_racing_for_the_last_verb_slot_cannot_both_pass(api: Any, org: Any, svc: Any, monkeypatch: Any) -> None:
    """Two connects that both read ann with one verb free each add a new verb: the verb write checks
    the limit again (a conditional UpdateItem), so the second is a 400, its edge is withdrawn and its
    verb taken off the target; ann's listings still answer (they refused an entity past the limit)."""
    from dataclasses import replace

    from chalicelib.core import connections

    monkeypatch.setattr(connections, "MAX_VERBS", 2)
    B = "/usergrid/acme/sandbox"
    api.post(f"{B}/users", {"username": "ann"})
    api.post(f"{B}/items", [{"name": "milk"}, {"name": "jam"}])
    assert api.post(f"{B}/users/ann/likes/items/milk").status_code == 200
    real = svc.entities.store.get
    app = svc.tenancy.app("acme", "sandbox").uuid
    ann = api.get(f"{B}/users/ann").json["entities"][0]["uuid"]
    stale = real(app, ann)  # what both racing requests read: one verb, one slot free
    read = svc.entities.get_record
    monkeypatch.setattr(svc.entities, "get_record", lambda a, c, i: replace(stale) if i == "ann" else read(a, c, i))
    assert api.post(f"{B}/users/ann/wants/items/jam").status_code == 200
    r = api.post(f"{B}/users/ann/needs/items/milk")
    assert r.status_code == 400 and r.json["error"] == "illegal_argument", r.body
    monkeypatch.undo()
    assert sorted(real(app, ann).out_verbs) == ["likes", "wants"]
    milk = api.get(f"{B}/items/milk").json["entities"][0]
    assert "needs" not in milk["metadata"].get("connecting", {}), milk["metadata"]
    assert api.get(f"{B}/users/ann/needs").json["entities"] == []
    listed = api.get(f"{B}/users/ann/connections")
    assert listed.status_code == 200 and sorted(e["name"] for e in listed.json["entities"]) == ["jam", "milk"]
