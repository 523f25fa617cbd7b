"""An app's global configuration: named parameters clients read, some visible to the master key only.

Parse's `Parse.Config`: `params` (any JSON values, Parse-typed ones included) and `masterKeyOnly`
(parameter -> bool). One small document per app (`appconfig#<app>` in the tenants table): a read is
one GetItem, a change a read and a conditional put, so concurrent changes of different
parameters both land.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ConcurrencyExhausted, InvalidInput, TooLarge
from .ports import DocStore, VersionConflict

MAX_BYTES = 100_000  # Parse clients fetch the whole config at start: keep it small


class AppConfig:
    def __init__(self, docs: DocStore) -> None:
        self.docs = docs

    def read(self, app: str, master: bool) -> dict[str, Any]:
        """{"params", "masterKeyOnly"}; without the master key, master-only parameters are left out."""
        got = self.docs.get(_key(app))
        doc = got[0] if got else {"params": {}, "masterKeyOnly": {}}
        params, only = dict(doc.get("params", {})), dict(doc.get("masterKeyOnly", {}))
        if master:
            return {"params": params, "masterKeyOnly": only}
        hidden = {k for k, v in only.items() if v}
        return {"params": {k: v for k, v in params.items() if k not in hidden},
                "masterKeyOnly": {k: v for k, v in only.items() if k not in hidden}}

    def update(self, app: str, params: Any, master_only: Any = None) -> None:
        """Set each parameter (`{"__op": "Delete"}` removes it) and its master-only flag (default false)."""
        if not isinstance(params, dict):
            raise InvalidInput("params must be an object")
        if master_only is not None and not isinstance(master_only, dict):
            raise InvalidInput("masterKeyOnly must be an object")
        flags = master_only or {}
        for _ in range(10):
            got = self.docs.get(_key(app))
            doc, ver = (got[0], got[1]) if got else ({"params": {}, "masterKeyOnly": {}}, None)
            new_params, new_only = dict(doc.get("params", {})), dict(doc.get("masterKeyOnly", {}))
            for k, v in params.items():
                if not isinstance(k, str) or not k or k.startswith("$") or "." in k:
                    raise InvalidInput(f"invalid parameter name: {k!r}")
                if isinstance(v, dict) and v.get("__op") == "Delete":
                    new_params.pop(k, None)
                    new_only.pop(k, None)
                else:
                    new_params[k], new_only[k] = v, bool(flags.get(k, False))
            new = {"params": new_params, "masterKeyOnly": new_only}
            if len(json.dumps(new)) > MAX_BYTES:
                raise TooLarge(f"the config is limited to {MAX_BYTES} bytes of JSON")
            try:
                self.docs.put(_key(app), new, ver)
                return
            except VersionConflict:
                continue
        raise ConcurrencyExhausted()


def _key(app: str) -> str:
    return f"appconfig#{app}"
