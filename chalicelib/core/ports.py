"""What the core needs from storage, as small interfaces.

storage/ implements these against DynamoDB; the core never sees a table or a key schema
beyond the strings it builds itself (tenancy prefixes live here, in the core, not in storage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence


@dataclass
class Record:
    """An entity as stored: the JSON document plus the bookkeeping the core needs."""

    app: str
    collection: str
    uuid: str
    version: int
    doc: dict[str, Any]
    prop_versions: dict[str, int] = field(default_factory=dict)  # version each indexed prop was written at
    secret: str | None = None  # password hash (users only); never part of doc
    owner: str | None = None  # uuid of the app user who created it (permissions: owner rules)
    acl: dict[str, dict[str, bool]] | None = None  # Parse-style ACL: {"*"|user uuid|"role:<name>": {"read", "write"}}


@dataclass(frozen=True)
class IndexHit:
    sk: str
    written_ms: int


class VersionConflict(Exception):
    """The conditional write lost: the entity changed (or exists, or vanished) since it was read."""


class EntityStore(Protocol):
    def get(self, app: str, uuid: str) -> Record | None: ...

    def batch_get(self, app: str, uuids: Sequence[str]) -> dict[str, Record]: ...

    def put(self, record: Record, expected_version: int | None) -> None:
        """Write the record iff its stored version is `expected_version` (None: must not exist)."""

    def delete(self, app: str, uuid: str, expected_version: int) -> None: ...

    def write_index(self, partition_prefix: str, puts: Sequence[tuple[str, str]], deletes: Sequence[tuple[str, str]]) -> None:
        """Put and delete (index name, sort key) entries under `partition_prefix`, in batches."""

    def query_index(
        self, partition: str, low: str, high: str, descending: bool, start_after: str | None, limit: int
    ) -> tuple[list[IndexHit], str | None]:
        """Entries with low <= sk <= high in order; returns them and the last key when more remain."""


class UniqueStore(Protocol):
    def claim(self, key: str, owner: str) -> str | None:
        """Claim `key` for `owner`; returns None on success, else the current owner."""

    def get(self, key: str) -> tuple[str, int] | None:
        """(owner, written ms) or None."""

    def replace(self, key: str, old_owner: str, new_owner: str) -> bool: ...

    def release(self, key: str, owner: str) -> None: ...


class DocStore(Protocol):
    """Small JSON documents by key with optimistic versions (tenants: orgs, apps, admins)."""

    def get(self, key: str) -> tuple[dict[str, Any], int] | None: ...

    def put(self, key: str, doc: dict[str, Any], expected_version: int | None) -> None:
        """Raises VersionConflict when the stored version differs (None: must not exist)."""


class TokenStore(Protocol):
    def put(self, digest: str, doc: dict[str, Any], expires_s: int) -> None: ...

    def get(self, digest: str) -> dict[str, Any] | None:
        """The token's document, or None when unknown or expired (TTL deletion runs late)."""

    def delete(self, digest: str) -> None: ...
