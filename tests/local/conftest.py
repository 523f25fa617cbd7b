"""`make run` as a user runs it: scripts/local.py in its own process on free ports, its data folder
and its log in a temporary directory (never the project folder), always stopped by pid."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class LocalServer:
    """One `scripts/local.py` process; `start()` waits until env.sh is written (the server is up)."""

    def __init__(self, folder: Path, port: int | None = None, moto_port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.moto_port = moto_port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = folder.parent / f"{folder.name}-{self.port}.log"

    @property
    def env_file(self) -> Path:
        return self.folder / "env.sh"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BAAS_"))}
        env.update(PORT=str(self.port), MOTO_PORT=str(self.moto_port), BAAS_LOCAL_DIR=str(self.folder),
                   BAAS_SCRYPT_N="1024", PYTHONUNBUFFERED="1")
        return env

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as log:
            return subprocess.Popen([sys.executable, str(ROOT / "scripts" / "local.py"), *args], cwd=ROOT,
                                    env=self.environment(), stdout=log, stderr=subprocess.STDOUT)

    def start(self, *args: str, timeout: float = 120) -> dict[str, str]:
        self.env_file.unlink(missing_ok=True)
        self.proc = self.spawn(*args)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}:\n{self.log.read_text()}")
            if self.env_file.exists():
                return self.variables()
            time.sleep(0.3)
        self.kill(signal.SIGKILL)
        raise AssertionError(f"server not up in {timeout} s:\n{self.log.read_text()}")

    def variables(self) -> dict[str, str]:
        out = {}
        for line in self.env_file.read_text().splitlines():
            if line.startswith("export "):
                key, _, value = line[len("export "):].partition("=")
                out[key] = shlex.split(value)[0] if value else ""
        return out

    def kill(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self.proc = None
        return rc

    def wait_ports_free(self, timeout: float = 15) -> bool:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not port_open(self.port) and not port_open(self.moto_port):
                return True
            time.sleep(0.2)
        return False

    def leftovers(self) -> list[int]:
        """Pids of any process still serving this server's ports (chalice local is started with `--port N`)."""
        needle = f"--port\0{self.port}\0".encode()
        pids = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and needle in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
            except OSError:
                continue
        return pids

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(self.url(path), body, headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


@pytest.fixture
def local_server(tmp_path: Path) -> Iterator[LocalServer]:
    server = LocalServer(tmp_path / "data")
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.kill(signal.SIGKILL)


@pytest.fixture(scope="module")
def running_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """One server for a module's read-mostly tests (README tours, CLI)."""
    server = LocalServer(tmp_path_factory.mktemp("local") / "data")
    server.start()
    yield server
    if server.proc is not None:
        server.kill(signal.SIGTERM)
