"""Cloud Code services: one module per service, functions registered with `@method`.

Add `chalicelib/cloudcode/<service>.py`; `POST /backendless/{app}/{key}/services/<service>/<fn>`
imports it on first call. The service `functions` (functions.py) is also Parse's Cloud functions:
`POST /parse/functions/<fn>`. See `greeter.py`, `functions.py` and the README sections "Backendless"
and "Parse".
"""
