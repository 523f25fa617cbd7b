"""Chalice entry point: builds the app and mounts one Blueprint per dialect. Nothing else runs here.

In the Lambda package each dialect is imported by its first request (dialects/lazy.py: the zip
carries the route table); everywhere else every dialect is imported here.
"""

from typing import Any

from chalice import Chalice, Response

from chalicelib.core.errors import CoreError
from chalicelib.dialects import fallback, lazy
from chalicelib.dialects.backendless import errors as backendless_errors
from chalicelib.dialects.http import install_edge
from chalicelib.dialects.lightblue import errors as lightblue_errors
from chalicelib.dialects.parselike import errors as bea_errors
from chalicelib.dialects.usergrid import errors as usergrid_errors

# Each dialect: (url prefix, module whose `bp` holds its routes), imported together.
DIALECTS: lazy.Dialects = {
    "usergrid": [("/usergrid", "chalicelib.dialects.usergrid.api")],
    "backendless": [("/backendless", "chalicelib.dialects.backendless.api")],
    "bea": [("/bea", "chalicelib.dialects.bea")],
    # the async-task worker Lambda (`lightblue_task`), and its task runner for tasks run in-process
    "lightblue": [("/lightblue", "chalicelib.dialects.lightblue.api"), (None, "chalicelib.dialects.lightblue.worker")],
    "parse": [("/parse", "chalicelib.dialects.parse")],
}

app = Chalice(app_name="serverless-baas")
lazy.mount(app, DIALECTS)
install_edge(app)  # X-Content-Type-Options: nosniff on every response
app.api.binary_types.append("multipart/form-data")  # Backendless file uploads reach the Lambda as bytes


@app.route("/status", cors=True)
def status() -> dict[str, str]:
    return {"status": "ok"}


def _lightblue_render(err: CoreError | None, exc: Exception, started: float) -> Response:
    return lightblue_errors.render(err, lightblue_errors.request_context(app.current_request))


# Last: every dialect's unknown paths and missing methods answer 404/405 in its own format (Parse
# answers its own unknown paths through its route registry).
_FALLBACKS: tuple[tuple[str, Any, str], ...] = (("/usergrid", usergrid_errors.render, "usergrid"),
                                                ("/backendless", backendless_errors.render, "backendless"),
                                                ("/bea", bea_errors.render, "bea"),
                                                ("/lightblue", _lightblue_render, "lightblue"))
for _prefix, _render, _name in _FALLBACKS:
    fallback.install(app, _prefix, _render, _name)
