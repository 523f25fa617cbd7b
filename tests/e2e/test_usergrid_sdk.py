"""The official Usergrid Python SDK (PyPI `usergrid`), unmodified, against a real HTTP server.

The server is chalice's own local dev server in a thread of this process, with moto in-process,
so the SDK's requests cross a real socket exactly as they would against `make run`.
"""

from __future__ import annotations

from typing import Any

import pytest

usergrid = pytest.importorskip("usergrid")


@pytest.fixture
def server(live_server: str) -> str:
    return f"{live_server}/usergrid"


def _signup(base: str) -> dict[str, Any]:
    import requests

    requests.post(f"{base}/management/organizations", json={
        "organization": "sdkorg", "username": "sdkadmin", "name": "Admin", "email": "a@sdk.test", "password": "pw"})
    tok = requests.post(f"{base}/management/token", json={"grant_type": "password", "username": "sdkadmin",
                                                          "password": "pw"}).json()["access_token"]
    requests.post(f"{base}/management/orgs/sdkorg/apps", json={"name": "app1"}, headers={"Authorization": f"Bearer {tok}"})
    return dict(requests.get(f"{base}/management/orgs/sdkorg/apps/app1/credentials",
                             headers={"Authorization": f"Bearer {tok}"}).json()["credentials"])


def _query(client: Any, collection: str, ql: str, limit: int = 100) -> Any:
    """The SDK's query iterator, which follows cursors page by page.

    (UsergridCollection.query reads a `client.headers` that 0.2.10 lacks, and the iterator has a
    Python 2 `next()`: both are the SDK's own bugs, so the test calls the iterator directly.)
    """
    from usergrid.app_templates import collection_query_url_template
    from usergrid.UsergridQueryIterator import UsergridQueryIterator

    url = collection_query_url_template.format(collection=collection, ql=ql, limit=limit, **client.url_data)
    it = UsergridQueryIterator(url, headers=dict(client.session.headers))
    out = []
    while True:
        try:
            out.append(it.next())
        except (StopIteration, RuntimeError):
            return out


def test_sdk_crud_query_connect_roles(server: str) -> None:
    from usergrid import Usergrid, UsergridClient

    creds = _signup(server)
    client = UsergridClient("sdkorg", "app1", base_url=server, client_id=creds["client_id"],
                            client_secret=creds["client_secret"])
    Usergrid.client = client  # the SDK's static helpers (entity.save(), connect) use this
    r = client.POST("pets", {"name": "rex", "kind": "dog", "age": 3})
    assert r.ok, str(r)
    rex = r.entity()
    assert rex.get("type") == "pet" and rex.get("uuid")
    r = client.GET("pets", "rex")
    assert r.ok and r.entity().get("kind") == "dog"
    client.POST("pets", {"name": "tom", "kind": "cat", "age": 5})
    client.POST("pets", {"name": "kit", "kind": "cat", "age": 1})
    cats = [e["name"] for e in _query(client, "pets", "select * where kind = 'cat' order by age")]
    assert cats == ["kit", "tom"]
    # entity.save() sends the whole entity back, system properties included
    rex.put_property("age", 4)
    assert rex.save().ok
    assert client.GET("pets", rex.get("uuid")).entity().get("age") == 4
    # connections by type (singular, as the SDK sends them)
    client.POST("users", {"username": "ann", "password": "pw-ann"})
    ann = client.GET("users", "ann").entity()
    assert ann.connect("likes", rex).ok
    likes = client.session.get(f"{server}/sdkorg/app1/users/ann/likes").json()["entities"]
    assert [e["name"] for e in likes] == ["rex"]
    # roles: create one and assign it through the SDK's /roles/{role}/{type}/{entity} form
    assert client.POST("roles", {"name": "vet", "title": "Vet"}).ok
    from usergrid.app_templates import assign_role_url_template

    url = assign_role_url_template.format(role_uuid_name="vet", entity_type="user", entity_uuid_name=ann.get("uuid"),
                                          **client.url_data)
    assert client.session.post(url).status_code == 200
    roles = client.session.get(f"{server}/sdkorg/app1/users/ann/roles").json()["entities"]
    assert [r["name"] for r in roles] == ["vet"]
    # SDK 0.2.10's assign_role sends DELETE on that URL (its bug): on Usergrid that removes the role, here too
    assert client.assign_role("vet", ann).ok
    assert client.session.get(f"{server}/sdkorg/app1/users/ann/roles").json()["entities"] == []
    # paging through the SDK's iterator follows cursors
    client.POST("pets", [{"name": f"p{i}", "kind": "fish"} for i in range(12)])
    fish = list(_query(client, "pets", "select * where kind = 'fish'", limit=5))
    assert len(fish) == 12
    assert client.DELETE("pets", "rex").ok
    assert client.GET("pets", "rex").status_code == 404


def test_sdk_connections_by_name_users_by_email_and_put_ql(server: str) -> None:
    """Issue 13: the SDK addresses connection ends by name, users by email, and updates by query; its
    GET's `connections` argument picks the metadata links; deleting an end removes its connections."""
    from urllib.parse import quote

    from usergrid import Usergrid, UsergridClient
    from usergrid.UsergridClient import UsergridEntity

    creds = _signup(server)
    client = UsergridClient("sdkorg", "app1", base_url=server, client_id=creds["client_id"],
                            client_secret=creds["client_secret"])
    Usergrid.client = client
    client.POST("users", {"username": "bea", "email": "bea@sdk.test", "password": "pw-bea"})
    client.POST("pets", [{"name": "tom", "kind": "cat"}, {"name": "kit", "kind": "cat"}])
    by_email = client.GET("users", "bea@sdk.test")
    assert by_email.ok and by_email.entity().get("username") == "bea"
    # ends given by name only: /user/bea/likes/pet/tom
    bea = UsergridEntity({"type": "user", "username": "bea", "name": "bea"})
    for name in ("tom", "kit"):
        assert client.connect_entities(bea, "likes", UsergridEntity({"type": "pet", "name": name})).ok
    likes = client.session.get(f"{server}/sdkorg/app1/users/bea/likes").json()["entities"]
    assert [e["name"] for e in likes] == ["kit", "tom"]  # newest connection first
    assert client.disconnect_entities(bea, "likes", UsergridEntity({"type": "pet", "name": "kit"})).ok
    assert client.session.get(f"{server}/sdkorg/app1/user/bea/likes/pet/kit").status_code == 404
    # PUT ?ql= updates every match
    r = client.session.put(f"{server}/sdkorg/app1/pets?ql=" + quote("select * where kind = 'cat'"),
                           data='{"indoor": true}')
    assert r.status_code == 200 and len(r.json()["entities"]) == 2
    assert client.GET("pets", "kit").entity().get("indoor") is True
    # the SDK's GET asks `?connections=none` unless told otherwise: links only when asked for
    assert "connections" not in client.GET("users", "bea").entity().get("metadata")
    meta = client.GET("users", "bea", connections="all").entity().get("metadata")
    assert list(meta["connections"]) == ["likes"] and meta["connections"]["likes"].endswith("/likes")
    linked = client.session.get(f"{server}/sdkorg/app1{meta['connections']['likes']}").json()["entities"]
    assert [e["name"] for e in linked] == ["tom"]
    tom = client.GET("pets", "tom", connections="in").entity().get("metadata")
    assert list(tom["connecting"]) == ["likes"] and "connections" not in tom
    # every verb at once (`/connections`, `/connecting`): the SDK's get_connections is an empty stub
    # (`pass`), so through the SDK's own session
    kit = UsergridEntity({"type": "pet", "name": "kit"})
    assert client.connect_entities(bea, "owns", kit).ok
    every = client.session.get(f"{server}/sdkorg/app1/users/bea/connections").json()["entities"]
    assert [e["name"] for e in every] == ["kit", "tom"]  # newest connection first, across verbs
    inbound = client.session.get(f"{server}/sdkorg/app1/pets/kit/connecting").json()["entities"]
    assert [e["username"] for e in inbound] == ["bea"]
    assert client.disconnect_entities(bea, "owns", kit).ok
    # deleting an end removes its connections: bea's list and links no longer name tom
    assert client.DELETE("pets", "tom").ok
    assert client.session.get(f"{server}/sdkorg/app1/users/bea/likes").json()["entities"] == []
    assert "connections" not in client.GET("users", "bea", connections="all").entity().get("metadata")
    # property names in ql in any case (Usergrid lower-cases the query)
    assert [e["name"] for e in _query(client, "pets", "select * where KIND = 'cat'")] == ["kit"]
