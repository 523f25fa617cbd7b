"""`make run` kept open all day (issue 14): data and keys last across restarts (kill -9 too),
a busy port is a clear error, SIGTERM leaves no process behind, sent mail is readable locally."""

from __future__ import annotations

import json
import signal
import time

from .conftest import LocalServer, port_open


def _create(server: LocalServer, name: str) -> None:
    status, body = server.request("POST", "/usergrid/local/sandbox/items", json.dumps({"name": name}).encode())
    assert status == 200, body


def _names(server: LocalServer) -> set[str]:
    status, body = server.request("GET", "/usergrid/local/sandbox/items?limit=100")
    assert status == 200, body
    return {e["name"] for e in json.loads(body)["entities"]}


def test_restart_keeps_data_and_keys_after_kill9_and_sigterm(local_server: LocalServer) -> None:
    first = local_server.start()
    _create(local_server, "milk")
    status, body = local_server.request("POST", "/usergrid/management/orgs/local/apps",
                                        json.dumps({"name": "prod"}).encode(),
                                        {"Authorization": f"Bearer {first['ADMIN_TOKEN']}"})
    assert status == 200, body

    assert local_server.kill(signal.SIGKILL) == -signal.SIGKILL  # no snapshot: only the journal has it
    assert local_server.wait_ports_free(), "chalice local or moto outlived a kill -9 of the server"
    assert not local_server.leftovers()
    second = local_server.start()
    keys = ("APP_UUID", "CLIENT_ID", "CLIENT_SECRET", "REST_API_KEY", "MASTER_KEY")
    assert {k: second[k] for k in keys} == {k: first[k] for k in keys}
    assert _names(local_server) == {"milk"}
    status, body = local_server.request("GET", "/usergrid/management/orgs/local/apps",
                                        headers={"Authorization": f"Bearer {first['ADMIN_TOKEN']}"})
    assert status == 200 and "local/prod" in json.loads(body)["data"], body  # the old admin token still works too
    # the REST key works for the Backendless dialect after the restart
    status, body = local_server.request("GET", f"/backendless/{second['APP_UUID']}/{second['REST_API_KEY']}/data/items")
    assert status == 200, body

    _create(local_server, "bread")
    assert local_server.kill(signal.SIGTERM) == 0
    assert local_server.wait_ports_free(), "SIGTERM left a process holding a port"
    assert not local_server.leftovers(), "SIGTERM left chalice local running"
    assert (local_server.folder / "state.pickle").exists()
    assert (local_server.folder / "journal.jsonl").stat().st_size == 0  # the shutdown snapshot holds everything
    third = local_server.start()
    assert third["APP_UUID"] == first["APP_UUID"]
    assert _names(local_server) == {"milk", "bread"}

    assert local_server.kill(signal.SIGINT) == 0
    assert local_server.wait_ports_free() and not local_server.leftovers()
    fresh = local_server.start("--reset")
    assert fresh["APP_UUID"] != first["APP_UUID"]
    assert _names(local_server) == set()


def test_busy_port_is_an_error_before_anything_claims_to_be_up(local_server: LocalServer) -> None:
    local_server.start()
    second = LocalServer(local_server.folder.parent / "other", port=local_server.port)
    proc = second.spawn()
    rc = proc.wait(timeout=60)
    out = second.log.read_text()
    assert rc == 2, out
    assert "already in use" in out and "is up" not in out and "export " not in out
    assert not (second.folder / "env.sh").exists()
    busy_moto = LocalServer(local_server.folder.parent / "third", moto_port=local_server.moto_port)
    assert busy_moto.spawn().wait(timeout=60) == 2
    assert port_open(local_server.port)  # the first server is untouched
    status, _ = local_server.request("GET", "/usergrid/status")
    assert status == 200


def test_sent_mail_is_visible_locally(local_server: LocalServer) -> None:
    env = local_server.start()
    users = f"/backendless/{env['APP_UUID']}/{env['REST_API_KEY']}/users"
    status, body = local_server.request("POST", f"{users}/register", json.dumps(
        {"email": "ann@example.com", "password": "pw-ann"}).encode(), {"Content-Type": "application/json"})
    assert status == 200, body
    status, body = local_server.request("GET", f"{users}/restorepassword/ann@example.com")
    assert status == 200, body
    import urllib.request

    deadline = time.time() + 10
    while True:
        with urllib.request.urlopen(f"{env['BAAS_MOTO_URL']}/_local/mail", timeout=10) as r:
            mail = json.load(r)
        if mail["count"] or time.time() > deadline:
            break
        time.sleep(0.2)
    assert any("ann@example.com" in json.dumps(m["destinations"]) for m in mail["messages"]), mail
