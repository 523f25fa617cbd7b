"""Chalice entry point: builds the app and mounts one Blueprint per dialect. Nothing else runs here."""

from chalice import Chalice

from chalicelib.dialects.usergrid.api import bp as usergrid

app = Chalice(app_name="serverless-baas")
app.register_blueprint(usergrid, url_prefix="/usergrid")


@app.route("/status", cors=True)
def status() -> dict[str, str]:
    return {"status": "ok"}


@app.route("/usergrid/status", cors=True)
def usergrid_status() -> dict[str, str]:
    return {"status": "ok"}
