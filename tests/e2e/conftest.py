"""A live local server for the official clients: chalice's own dev server in a thread of this
process, moto in-process, so a client's requests cross a real socket as against `make run`."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The server's base URL (`http://127.0.0.1:<port>`), also its BAAS_PUBLIC_URL: URLs the server
    builds never come from the client's Host header (as `make run` does)."""
    from chalice.config import Config
    from chalice.local import LocalDevServer

    from app import app
    from chalicelib import bootstrap

    port = _free_port()
    monkeypatch.setenv("BAAS_PUBLIC_URL", f"http://127.0.0.1:{port}")
    bootstrap.reset()  # settings are read once: read them again with the public URL, now, before
    bootstrap.services()  # the dev server applies its stage's environment (other table names)
    srv = LocalDevServer(app, Config.create(chalice_stage="dev"), "127.0.0.1", port)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    srv.shutdown()
