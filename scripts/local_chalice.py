"""`chalice local`, tuned for latency; scripts/local.py runs it as `python scripts/local_chalice.py <args>`.

- TCP_NODELAY on every connection: chalice's handler writes the headers and the body in two sends,
  and without it a keep-alive client's delayed ACK holds the second one ~40 ms on every response.
Arguments are `chalice local`'s own (`--host`, `--port`, `--stage`, `--no-autoreload`: scripts/local.py
turns the reloader off unless RELOAD=1, since it polls every file under the project, venv included).
"""

from __future__ import annotations

import sys


def tune() -> None:
    """Set TCP_NODELAY on the sockets chalice's local server accepts (socketserver's own switch)."""
    from chalice.local import ChaliceRequestHandler

    ChaliceRequestHandler.disable_nagle_algorithm = True


def nodelay_werkzeug() -> None:
    """The same for the moto server (werkzeug), which the app calls with keep-alive for every DynamoDB call."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.disable_nagle_algorithm = True


def argv(args: list[str]) -> list[str]:
    return ["chalice", "local", *args]


def main() -> None:
    tune()
    from chalice.cli import main as chalice_main

    sys.argv = argv(sys.argv[1:])
    chalice_main()


if __name__ == "__main__":
    main()
