"""Cloud Code services: one module per service, functions registered with `@method`.

Add `chalicelib/cloudcode/<service>.py`; `POST /backendless/{app}/{key}/services/<service>/<fn>`
imports it on first call. See `greeter.py` and the README section "Backendless".
"""
