"""Chalice entry point: builds the app and mounts one Blueprint per dialect. Nothing else runs here.

In the Lambda package each dialect is imported by its first request (dialects/lazy.py: the zip
carries the route table); everywhere else every dialect is imported here.
"""

import gc
import os

# In the package (it carries the route table) the collector waits for the first response: a cold
# start allocates ~100,000 long-lived objects (modules, botocore's service model) and collecting
# while it does costs ~15% of it. Those objects are then frozen (never scanned again) and the
# collector runs as usual. Outside the package (tests, `chalice local`) nothing changes.
PACKAGED = os.path.exists(os.path.join(os.path.dirname(os.path.abspath(__file__)), "chalicelib", "dialects",
                                       "routes.json"))
if PACKAGED:
    gc.disable()

from typing import Any  # noqa: E402

from chalice import Chalice, Response  # noqa: E402

from chalicelib.core.errors import CoreError  # noqa: E402
from chalicelib.dialects import fallback, lazy  # noqa: E402
from chalicelib.dialects.backendless import errors as backendless_errors  # noqa: E402
from chalicelib.dialects.http import install_edge  # noqa: E402
from chalicelib.dialects.lightblue import errors as lightblue_errors  # noqa: E402
from chalicelib.dialects.parselike import errors as bea_errors  # noqa: E402
from chalicelib.dialects.usergrid import errors as usergrid_errors  # noqa: E402

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


if PACKAGED:
    @app.middleware("http")
    def _collect_after_first_response(event: Any, get_response: Any) -> Any:
        try:
            return get_response(event)
        finally:
            if not gc.isenabled():
                gc.freeze()
                gc.enable()


@app.route("/status", cors=True)
def status() -> dict[str, str]:
    return {"status": "ok"}


def _lightblue_render(err: CoreError | None, exc: Exception, started: float) -> Response:
    return lightblue_errors.render(err, lightblue_errors.request_context(app.current_request))


def _parse_render(err: CoreError | None, exc: Exception, started: float) -> Response:
    # imported on use: `chalicelib.dialects.parse` (its package) registers every Parse route
    from chalicelib.dialects.parse import errors as parse_errors

    return parse_errors.render(err, exc, started)


# Last: every dialect's unknown paths and missing methods answer 404/405 in its own format (Parse
# answers unknown paths of up to four segments through its route registry, the deeper ones here).
_FALLBACKS: tuple[tuple[str, Any, str], ...] = (("/usergrid", usergrid_errors.render, "usergrid"),
                                                ("/backendless", backendless_errors.render, "backendless"),
                                                ("/bea", bea_errors.render, "bea"),
                                                ("/lightblue", _lightblue_render, "lightblue"),
                                                ("/parse", _parse_render, "parse"))
for _prefix, _render, _name in _FALLBACKS:
    fallback.install(app, _prefix, _render, _name)
