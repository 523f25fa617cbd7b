"""Chalice entry point: builds the app and mounts one Blueprint per dialect. Nothing else runs here."""

from chalice import Chalice

from chalicelib.dialects import fallback
from chalicelib.dialects.backendless import errors as backendless_errors
from chalicelib.dialects.backendless.api import bp as backendless
from chalicelib.dialects.bea import bp as bea
from chalicelib.dialects.http import install_edge
from chalicelib.dialects.lightblue import bp as lightblue
from chalicelib.dialects.lightblue.common import _render as lightblue_render
from chalicelib.dialects.lightblue.worker import bp as lightblue_worker
from chalicelib.dialects.parse import bp as parse
from chalicelib.dialects.parse import errors as parse_errors
from chalicelib.dialects.parselike import errors as bea_errors
from chalicelib.dialects.usergrid import errors as usergrid_errors
from chalicelib.dialects.usergrid.api import bp as usergrid

app = Chalice(app_name="serverless-baas")
app.register_blueprint(usergrid, url_prefix="/usergrid")
app.register_blueprint(backendless, url_prefix="/backendless")
app.register_blueprint(bea, url_prefix="/bea")
app.register_blueprint(lightblue, url_prefix="/lightblue")
app.register_blueprint(parse, url_prefix="/parse")
app.register_blueprint(lightblue_worker)  # the async-task worker Lambda (`lightblue_task`)
install_edge(app)  # X-Content-Type-Options: nosniff on every response
app.api.binary_types.append("multipart/form-data")  # Backendless file uploads reach the Lambda as bytes


@app.route("/status", cors=True)
def status() -> dict[str, str]:
    return {"status": "ok"}


# Last: every dialect's unknown paths and missing methods answer 404/405 in its own format (Parse
# answers unknown paths of up to four segments through its route registry, the deeper ones here).
for _prefix, _render, _name in ((("/usergrid", usergrid_errors.render, "usergrid"),
                                 ("/backendless", backendless_errors.render, "backendless"),
                                 ("/bea", bea_errors.render, "bea"),
                                 ("/lightblue", lightblue_render, "lightblue"),
                                 ("/parse", parse_errors.render, "parse"))):
    fallback.install(app, _prefix, _render, _name)
