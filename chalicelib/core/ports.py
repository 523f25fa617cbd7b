"""What the core needs from storage, as small interfaces.

storage/ implements these against DynamoDB; the core never sees a table or a key schema
beyond the strings it builds itself (tenancy prefixes live here, in the core, not in storage).
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import errors as _errors


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
    partial: bool = False  # fields the caller may not read were removed: never a base to write from
    shards: int = 1  # the collection's shard count its index entries were written under (indexing.shard_name)
    # Usergrid connection verbs this entity is the source of (`out`) and the target of (`in`): kept on the
    # entity item, so `metadata.connections` costs no read (core/connections.py keeps them)
    out_verbs: tuple[str, ...] = ()
    in_verbs: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexHit:
    sk: str
    written_ms: int


VersionConflict = _errors.VersionConflict  # re-exported: storage raises it, core.retry catches it


class EntityStore(Protocol):
    def get(self, app: str, uuid: str) -> Record | None: ...

    def batch_get(self, app: str, uuids: Sequence[str]) -> dict[str, Record]: ...

    def put(self, record: Record, expected_version: int | None) -> None:
        """Write the record iff its stored version is `expected_version` (None: must not exist)."""

    def put_new(self, records: Sequence[Record]) -> None:
        """Write entities with freshly generated uuids (none can exist yet, so no condition), in batches."""

    def delete(self, app: str, uuid: str, expected_version: int) -> None: ...

    def change_verbs(self, app: str, uuid: str, side: str, verb: str, add: bool, limit: int | None = None) -> bool:
        """Add (or remove) `verb` to the entity's `out` or `in` verbs, bumping its version so a writer
        holding the old version retries with the new verbs; False if the entity does not exist.
        `limit`: adding finds fewer than `limit` verbs or the verb itself, checked in the write
        (TooManyVerbs otherwise)."""

    def replace_secret(self, app: str, uuid: str, old: str, new: str) -> bool:
        """Set the password hash to `new` iff it is still `old` (the entity and its version untouched)."""

    def write_index(self, partition_prefix: str, puts: Sequence[tuple[str, str]], deletes: Sequence[tuple[str, str]],
                    hidden: Collection[tuple[str, str]] | None = None) -> None:
        """Put and delete (index name, sort key) entries under `partition_prefix`, in batches. An
        entity's entries carry whether its ACL lets anyone read it (`hidden`: the puts it does not);
        None writes no such flag (connections)."""

    def query_index(
        self, partition: str, low: str, high: str, descending: bool, start_after: str | None, limit: int
    ) -> tuple[list[IndexHit], str | None]:
        """Entries with low <= sk <= high in order; returns them and the last key when more remain."""

    def count_index(self, partition: str, low: str, high: str, public_only: bool = False) -> int | None:
        """How many entries lie in low <= sk <= high: DynamoDB counts them (Select=COUNT), nothing is returned.
        `public_only`: only entries of entities anyone may read, in the same one read; None when some
        entry carries no such flag (written before entries had it: the entities must be read)."""


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

    def get_many(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Several documents in one round trip (BatchGetItem); unknown or expired ones are left out."""

    def delete(self, digest: str) -> None: ...

    def put_new(self, digest: str, doc: dict[str, Any], expires_s: int) -> bool:
        """Put only if no item has this key (one conditional write); False when one exists."""


# -- Backendless services (issue 4): counters, cache, files, messaging, mail ----------------------
class CounterStore(Protocol):
    def get(self, app: str, name: str) -> int:
        """The counter's value; 0 when it does not exist."""

    def add(self, app: str, name: str, delta: int) -> int:
        """Atomically add `delta` (one UpdateItem ADD); returns the value after."""

    def set(self, app: str, name: str, value: int) -> None: ...

    def compare_and_set(self, app: str, name: str, expected: int, value: int) -> bool:
        """Set iff the current value is `expected` (a missing counter counts as 0)."""

    def names(self, app: str) -> list[str]:
        """Every counter of the app (a Query on the app's partition)."""


class CacheStore(Protocol):
    def put(self, app: str, key: str, raw_json: str, expires_s: int) -> None: ...

    def get(self, app: str, key: str) -> tuple[str, int] | None:
        """(raw JSON, expiry in epoch seconds) or None; the caller checks the expiry."""

    def set_expiry(self, app: str, key: str, expires_s: int, now_s: int) -> bool:
        """Move the expiry of a live entry; False when there is none."""

    def delete(self, app: str, key: str) -> None: ...


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    modified_ms: int
    is_dir: bool = False


class BlobStore(Protocol):
    """Bytes by key (S3). Keys are built by core/files.py and always start with the app uuid."""

    def put(self, key: str, data: bytes, content_type: str, owner: str | None = None,
            if_absent: bool = False, if_match: str | None = None) -> None:
        """`if_absent`: create only (S3's conditional write); `if_match`: replace only the version
        with that ETag (the one that was checked). VersionConflict when the condition fails."""

    def exists(self, key: str) -> bool: ...

    def head(self, key: str) -> dict[str, str] | None:
        """{"owner", "content_type", "etag"} of an object (owner "" when it has none), None when absent."""

    def list(self, prefix: str, recursive: bool, limit: int) -> list[BlobInfo]:
        """Objects under `prefix`; without `recursive`, sub-folders come back once each as dirs."""

    def delete(self, keys: Sequence[str]) -> None: ...

    def copy(self, src: str, dst: str, owner: str | None = None, if_absent: bool = False,
             if_match: str | None = None) -> None:
        """The copy belongs to `owner`; `if_absent` / `if_match` condition the target as in `put`."""

    def download_url(self, key: str, expires_s: int, content_type: str | None = None,
                     disposition: str | None = None) -> str: ...

    def upload_url(self, key: str, expires_s: int, content_type: str, owner: str | None = None,
                   if_absent: bool = False, if_match: str | None = None) -> str:
        """A presigned PUT; `if_absent` signs `If-None-Match: *`, `if_match` `If-Match: <etag>`
        (the client must send what is signed)."""

    def get(self, key: str) -> tuple[bytes, str] | None:
        """(bytes, content type), or None when there is no such object."""

    def list_page(self, prefix: str, start_after: str, limit: int) -> builtins.list[BlobInfo]:
        """At most `limit` objects under `prefix` whose keys sort after `start_after`: one LIST call."""

    def read(self, key: str) -> tuple[bytes, dict[str, str]] | None:
        """(bytes, {"owner", "content_type"}) in one GET, or None when there is no such object."""


class MessageStore(Protocol):
    def publish(self, app: str, channel: str, message_id: str, deliver_at_ms: int, doc: dict[str, Any],
                expires_s: int) -> str:
        """Store the message and its status (one batch); returns its position key in the channel."""

    def status(self, app: str, message_id: str) -> dict[str, Any] | None: ...

    def put_subscription(self, app: str, sub_id: str, doc: dict[str, Any], expires_s: int) -> None: ...

    def subscription(self, app: str, sub_id: str) -> dict[str, Any] | None: ...

    def advance(self, app: str, sub_id: str, old_after: str, new_after: str, expires_s: int) -> bool:
        """Move the subscription's read position iff it is still `old_after` (each message once)."""

    def read(self, app: str, channel: str, after: str, upto: str, limit: int) -> list[tuple[str, dict[str, Any]]]:
        """Messages with after < position <= upto, in order."""


class Mailer(Protocol):
    def send(self, to: Sequence[str], subject: str, text: str | None, html: str | None) -> str:
        """Send one email; returns the provider's message id."""
