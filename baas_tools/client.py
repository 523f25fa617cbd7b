"""The management API as the `baas` CLI calls it: a local (`make run`) or a deployed endpoint, with
an org admin's token, or the admin's username and password exchanged for one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests


class ApiError(Exception):
    """A call the server refused; the message carries its status and error text."""


@dataclass
class Client:
    url: str  # the server's base URL, e.g. http://127.0.0.1:8000 or https://<api id>.execute-api.../api
    org: str
    token: str | None = None
    timeout: float = 120

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        self.http = requests.Session()

    def login(self, username: str, password: str) -> str:
        got = self.call("POST", "/usergrid/management/token",
                        {"grant_type": "password", "username": username, "password": password}, auth=False)
        self.token = str(got["access_token"])
        return self.token

    def call(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None,
             auth: bool = True) -> Any:
        headers = {"Content-Type": "application/json"}
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            r = self.http.request(method, self.url + path, json=body, params=params, headers=headers,
                                  timeout=self.timeout)
        except requests.RequestException as e:
            raise ApiError(f"{method} {self.url}{path}: {e}") from None
        if r.status_code // 100 != 2:
            try:
                err = r.json()
                text = err.get("error_description") or err.get("error") or r.text
            except ValueError:
                text = r.text
            raise ApiError(f"{method} {path}: HTTP {r.status_code}: {str(text)[:300]}")
        return r.json() if r.content else None

    # -- apps ----------------------------------------------------------------------------
    def _mgmt(self, suffix: str = "") -> str:
        return f"/usergrid/management/orgs/{self.org}/apps{suffix}"

    def apps(self) -> dict[str, str]:
        data = self.call("GET", self._mgmt())["data"]
        return {k.split("/", 1)[-1]: v for k, v in data.items()}

    def create_app(self, name: str) -> str:
        got = self.call("POST", self._mgmt(), {"name": name})
        return str(next(iter(got["data"].values())))

    def credentials(self, app: str, rotate: bool = False) -> dict[str, str]:
        got = self.call("POST" if rotate else "GET", self._mgmt(f"/{app}/credentials"))
        return {"app_uuid": got["uuid"], "client_id": got["credentials"]["client_id"],
                "client_secret": got["credentials"]["client_secret"], "rest_api_key": got["rest_api_key"],
                "master_key": got.get("master_key", "")}

    # -- data ----------------------------------------------------------------------------
    def collections(self, app: str) -> list[str]:
        return list(self.call("GET", self._mgmt(f"/{app}/collections"))["collections"])

    def shards(self, app: str, collection: str, shards: int | None = None) -> dict[str, Any]:
        """A collection's index layout; with `shards`, set it first."""
        path = self._mgmt(f"/{app}/collections/{collection}/shards")
        return dict(self.call("GET", path) if shards is None else self.call("PUT", path, {"shards": shards}))

    def migrate_step(self, app: str, collection: str, cursor: str | None) -> dict[str, Any]:
        body = {"cursor": cursor} if cursor else {}
        return dict(self.call("POST", self._mgmt(f"/{app}/collections/{collection}/shards/migrate"), body))

    def spellings_step(self, app: str, collection: str | None, cursor: str | None, limit: int) -> dict[str, Any]:
        """One step of recording the spellings stored in a collection (None: every collection)."""
        where = f"/collections/{collection}" if collection else ""
        body: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        return dict(self.call("POST", self._mgmt(f"/{app}{where}/spellings"), body))

    def export_page(self, app: str, collection: str, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        params: dict[str, Any] = {"collection": collection, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        got = self.call("GET", self._mgmt(f"/{app}/export"), params=params)
        return list(got["entities"]), got.get("cursor")

    def import_batch(self, app: str, collection: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        return dict(self.call("POST", self._mgmt(f"/{app}/import"), {"collection": collection, "entities": items}))

    def asset(self, org_app: str, collection: str, uuid: str, content_type: str) -> bytes:
        r = self.http.get(f"{self.url}/usergrid/{org_app}/{collection}/{uuid}", timeout=self.timeout,
                          headers={"Authorization": f"Bearer {self.token}", "Accept": content_type})
        if r.status_code // 100 != 2:
            raise ApiError(f"asset {collection}/{uuid}: HTTP {r.status_code}")
        return r.content

    def put_asset(self, org_app: str, collection: str, uuid: str, content_type: str, data: bytes) -> None:
        r = self.http.put(f"{self.url}/usergrid/{org_app}/{collection}/{uuid}", data=data, timeout=self.timeout,
                          headers={"Authorization": f"Bearer {self.token}", "Content-Type": content_type})
        if r.status_code // 100 != 2:
            raise ApiError(f"asset {collection}/{uuid}: HTTP {r.status_code}: {r.text[:200]}")

    # -- free-standing files (Backendless Files API) ---------------------------------------
    def files_page(self, app: str, cursor: str | None, limit: int = 100) -> tuple[list[dict[str, Any]], str | None]:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        got = self.call("GET", self._mgmt(f"/{app}/files"), params=params)
        return list(got["files"]), got.get("cursor")

    def import_files(self, app: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        return dict(self.call("POST", self._mgmt(f"/{app}/files"), {"files": records}))

    def fetch_url(self, url: str) -> bytes:
        """A presigned GET straight from S3 (no Authorization header: the URL is the credential)."""
        r = requests.get(url, timeout=self.timeout)
        if r.status_code // 100 != 2:
            raise ApiError(f"download: HTTP {r.status_code}")
        return r.content

    def put_url(self, url: str, headers: dict[str, str], data: bytes) -> None:
        r = requests.put(url, data=data, headers=headers, timeout=self.timeout)
        if r.status_code // 100 != 2:
            raise ApiError(f"upload: HTTP {r.status_code}: {r.text[:200]}")
