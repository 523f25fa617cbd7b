"""The composition root: the one place that wires storage to the core's services.

Nothing here runs at import. `services()` configures the pynamodb models (table names,
endpoint, region) on first use, so tests can start moto first and a Lambda pays only
for what a request touches.
"""

from __future__ import annotations

import contextvars
import secrets as pysecrets
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .config import Settings, settings
from .core.appconfig import AppConfig
from .core.auth import Auth, Principal
from .core.classes import ClassRegistry
from .core.connections import UNLINK_TASK, Connections
from .core.cursors import Cursors
from .core.data import AppData, Policy
from .core.entities import Entities
from .core.layouts import Layouts
from .core.metadata import Metadata
from .core.permissions import Permissions
from .core.planner import Executor
from .core.ports import VersionConflict
from .core.tasks import Runner, Tasks, ThreadDispatcher, register_runner
from .core.tenancy import App, Tenancy


@dataclass
class Services:
    settings: Settings
    entities: Entities
    executor: Executor
    tenancy: Tenancy
    auth: Auth
    policy: Policy
    connections: Connections
    _metadata: Metadata | None = None
    _tasks: Tasks | None = None
    _series: Any = None
    _classes: ClassRegistry | None = None
    layouts: Layouts | None = None  # index layouts per collection (hot-partition sharding)

    @property
    def permissions(self) -> Permissions:
        assert isinstance(self.policy, Permissions)
        return self.policy

    def data(self, app: App, principal: Principal) -> AppData:
        """The app's data as this caller may see it: every dialect goes through here."""
        request_app.set(app.uuid)  # for the request's log line
        return AppData(self.entities, self.executor, app, principal, self.policy, self.connections,
                       validator=self.metadata, registry=self.classes, sessions=self.auth)

    @property
    def metadata(self) -> Metadata:
        """Entity schemas (Lightblue metadata), checked by AppData on every write; built on first use,
        which every data access is (`data` above), and from then on also the source of the entity
        service's unique indexes for collections that carry a schema."""
        if self._metadata is None:
            from .storage.tenants import DynamoDocStore

            self._metadata = Metadata(DynamoDocStore())
            self.entities.uniques = self._metadata.unique_fields
        return self._metadata

    @property
    def classes(self) -> ClassRegistry:
        """The fields each collection holds (Parse schemas), kept by AppData on every write."""
        if self._classes is None:
            from .storage.tenants import DynamoDocStore

            self._classes = ClassRegistry(DynamoDocStore())
        return self._classes

    @property
    def app_config(self) -> AppConfig:
        """Each app's global configuration (Parse Config): one small document per app."""
        from .storage.tenants import DynamoDocStore

        return AppConfig(DynamoDocStore())

    @property
    def tasks(self) -> Tasks:
        """Asynchronous requests (Lightblue `async`): status in the tokens table, request and result in
        the files bucket, the work on a thread locally and on the worker Lambda in AWS; built on first use."""
        if self._tasks is None:
            from .storage.tenants import DynamoTokenStore

            blobs = self.files().blobs  # shares the files' S3 client (takes the lock: not held here)
            tasks = Tasks(DynamoTokenStore(), blobs, ThreadDispatcher())
            tasks.dispatcher = task_dispatcher(tasks.execute, self.settings)
            self._tasks = tasks
        return self._tasks

    def read_task(self, app: App, principal: Principal, handle: str) -> dict[str, Any]:
        """A task's status and result, for its creator or a privileged caller only (else unknown)."""
        from .core.tasks import caller_id

        reader = None if self.policy.sees_everything(app, principal) else caller_id(principal)
        return self.tasks.get(app.uuid, handle, reader)

    # Backendless services (issue 4), each built on first use: a request pays only for what it touches.
    def counters(self) -> Any:
        return _lazy(self, "_counters", "counters")

    def cache(self) -> Any:
        return _lazy(self, "_cache", "cache")

    def files(self) -> Any:
        return _lazy(self, "_files", "files")

    def messaging(self) -> Any:
        return _lazy(self, "_messaging", "messaging")

    def app_files(self, app: App, principal: Principal) -> Any:
        """The app's free-standing files as this caller may use them (core/files.AppFiles)."""
        from .core.files import AppFiles

        request_app.set(app.uuid)
        return AppFiles(self.files(), app, principal, self.permissions)

    def require(self, app: App, principal: Principal, kind: str, name: str, verb: str) -> None:
        """The core's decision on a resource other than an entity (cache, counters, messaging,
        email, cloud code): Forbidden/Unauthorized unless the caller's roles grant `verb` on it."""
        from .core.permissions import resource_path

        request_app.set(app.uuid)
        self.permissions.require(app, principal, resource_path(kind, name), verb)

    def send_email(self, app: App, principal: Principal, to: Any, subject: Any, text: Any = None,
                   html: Any = None, *, to_own_user: bool = False) -> str:
        """Email for any dialect: the `/_/email` permission, then core/messaging.send_app_email's
        recipient rules and daily quota. `to_own_user`: the server writes to a registered user
        (password reset), which counts against the quota like any other email."""
        from .core.messaging import MailLimits, send_app_email

        if not to_own_user:
            self.require(app, principal, "email", "", "post")
        # the sandbox is open to anyone, but the world outside it is not: only the app itself
        # (credentials, master key) and org admins write to arbitrary addresses
        privileged = to_own_user or principal.kind in ("app", "admin")
        limits = MailLimits(self.settings.mail_daily_quota, self.settings.mail_max_recipients)

        def is_member(addr: str) -> bool:
            return self.entities.find_by_unique(app.uuid, "users", "email", addr) is not None

        return send_app_email(self.messaging(), self.counters().store, app.uuid, limits, privileged=privileged,
                              is_member=is_member, to=to, subject=subject, text=text, html=html)

    def assets(self) -> Any:
        """Usergrid assets on S3, sharing the Backendless files' blob store."""
        from .core.assets import Assets

        return Assets(self.files().blobs)

    def series(self) -> Any:
        """Usergrid application counters (events), built on first use."""
        if getattr(self, "_series", None) is None:
            from .core.series import Series
            from .storage.series import DynamoSeriesStore

            self._series = Series(DynamoSeriesStore())
        return self._series


_lock = threading.Lock()
_services: Services | None = None
request_app: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_app", default=None)
# The app and caller of the current request, once a dialect has resolved them (for the cost header).
request_caller: contextvars.ContextVar[tuple[App, Principal] | None] = contextvars.ContextVar("request_caller",
                                                                                             default=None)


def note_caller(app: App, principal: Principal) -> None:
    """Each dialect names the request's caller once it has resolved it (not the server acting for it)."""
    request_caller.set((app, principal))


def caller_is_privileged() -> bool:
    """Whether the current request's caller sees everything (app credentials, org admins, master
    key, the sandbox): only such callers get X-Request-Cost, which otherwise is an oracle on data
    they cannot read (an extra BatchGetItem means a hidden entity matched)."""
    if settings().cost_header_for_all:  # benchmarks measure key-only and user callers too
        return True
    got = request_caller.get()
    return got is not None and _services is not None and _services.policy.sees_everything(*got)


def configure_models(s: Settings) -> None:
    """Name every model's table and point all of them at the container's one DynamoDB client."""
    from .storage import clients, limits, meter
    from .storage.models import ALL_MODELS, TABLE_SUFFIXES

    for model in ALL_MODELS:
        model.Meta.table_name = f"{s.table_prefix}-{TABLE_SUFFIXES[model]}"
        model.Meta.host = s.dynamodb_endpoint
        model.Meta.region = s.region
        model._connection = None  # pick up the new Meta
        client = clients.share_dynamodb(model, s.region, s.dynamodb_endpoint)
        meter.instrument(client)
        limits.instrument(client)


def services() -> Services:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = _build(settings())
    return _services


def start_meter() -> Any:
    """A fresh DynamoDB meter for the current request (see storage/meter.py)."""
    from .storage import meter

    request_app.set(None)
    request_caller.set(None)
    return meter.start()


def request_limits() -> Any:
    """The stage's per-request limits (core/budget.py), without building the services: a CORS
    preflight or an unknown route must not open connections or read the stored secret."""
    return (_services.settings if _services is not None else settings()).limits


def reset() -> None:
    """Forget settings and wiring (tests change the environment between cases)."""
    global _services
    settings.cache_clear()
    _services = None
    import sys

    clients = sys.modules.get(__package__ + ".storage.clients")
    if clients is not None:  # loaded only once something used AWS
        clients.reset()


def _build(s: Settings) -> Services:
    from . import hashes
    from .storage.counters import DynamoCounterStore
    from .storage.entities import DynamoEntityStore, DynamoUniqueStore
    from .storage.tenants import DynamoDocStore, DynamoTokenStore

    configure_models(s)
    hashes.install()
    store, unique, docs = DynamoEntityStore(), DynamoUniqueStore(), DynamoDocStore()
    entities = Entities(store, unique)
    listing = CollectionList(DynamoCounterStore())
    entities.on_collection, entities.collection_names = listing.add, listing.names
    secret_key = s.secret_key or _stored_secret_key(docs)
    tenancy = Tenancy(docs, unique, secret_key, s.open_signup)
    auth = Auth(DynamoTokenStore(), tenancy, entities, s.token_ttl_s)
    cursors = Cursors(secret_key)
    layouts = Layouts(docs)
    entities.shards = layouts.write_shards
    connections = Connections(store, cursors, submit=lambda app, runner, params: services().tasks.submit(
        app, runner, params))
    return Services(s, entities, Executor(store, cursors=cursors, layouts=layouts.live), tenancy, auth,
                    Permissions(docs), connections, layouts=layouts)


def _unlink_error(params: dict[str, Any], e: Exception) -> dict[str, Any]:
    from .core.errors import CoreError

    return {"error": e.message if isinstance(e, CoreError) else "internal server error"}


# A deleted entity's connections beyond what its request unlinks (core/connections.py): any dialect
# deletes entities, so the runner is registered here, where every API and worker function passes.
register_runner(UNLINK_TASK, Runner(lambda params: services().connections.run_unlink(params), _unlink_error))


class CollectionList:
    """The collections each app has ever created an entity in: one counters-table item per collection
    under `<app>#colls` (an idempotent UpdateItem SET, once per collection per container), listed with
    one Query. Exports and the Usergrid application entity read it; no Scan needed."""

    def __init__(self, counters: Any) -> None:
        self.counters = counters

    def add(self, app: str, collection: str) -> None:
        self.counters.set(f"{app}#colls", collection, 1)

    def names(self, app: str) -> list[str]:
        return sorted(self.counters.names(f"{app}#colls"))


def collections(app_uuid: str) -> list[str]:
    """Every collection the app has created an entity in (see CollectionList)."""
    from .storage.counters import DynamoCounterStore

    services()
    return CollectionList(DynamoCounterStore()).names(app_uuid)


def _stored_secret_key(docs: Any) -> str:
    """Without BAAS_SECRET_KEY (local runs, tests) the key lives in the tenants table, made once.

    Production sets BAAS_SECRET_KEY so that a copy of the tables alone does not reveal app keys.
    """
    got = docs.get("config#secret")
    if got is None:
        try:
            docs.put("config#secret", {"key": pysecrets.token_urlsafe(32)}, None)
        except VersionConflict:
            pass
        got = docs.get("config#secret")
    return str(got[0]["key"])


def create_resources(s: Settings | None = None) -> list[str]:
    """Create whatever tables and bucket are missing (local server, tests, first deploy)."""
    s = s or settings()
    configure_models(s)
    from .storage import clients
    from .storage.models import ALL_MODELS, TTL_ATTRIBUTES

    made = []
    for model in ALL_MODELS:
        if not model.exists():
            ttl_ok = _create_table(model)
            made.append(model.Meta.table_name)
            if model in TTL_ATTRIBUTES and ttl_ok:
                _enable_ttl(s, model.Meta.table_name, TTL_ATTRIBUTES[model])
    try:  # SES sends only from a verified sender (moto enforces it too)
        clients.client("ses", s.region).verify_email_identity(EmailAddress=mail_sender())
    except Exception:
        pass
    s3 = clients.client("s3", s.region, s.s3_endpoint, signature_version="s3v4")
    try:
        s3.head_bucket(Bucket=s.bucket)
    except Exception:
        kwargs: dict[str, Any] = {}
        if s.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": s.region}
        s3.create_bucket(Bucket=s.bucket, **kwargs)
        made.append(f"s3://{s.bucket}")
    return made


def _create_table(model: Any) -> bool:
    """pynamodb enables TTL itself for a model with a TTLAttribute; False when the endpoint has no TTL
    (see `_enable_ttl`)."""
    from pynamodb.exceptions import TableError

    try:
        model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
    except TableError as e:
        if not model.exists() or "TTL" not in str(e):
            raise
        warnings.warn(f"{model.Meta.table_name}: this DynamoDB endpoint did not enable TTL ({e}); "
                      "expired items stay stored", RuntimeWarning, stacklevel=2)
        return False
    return True


def _enable_ttl(s: Settings, table: str, attribute: str) -> None:
    """Turn on expiry. dynalite and some emulators have no TTL API: a warning, not a crash. Readers
    check expiry times themselves (tokens, cache), so only the automatic clean-up is lost."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .storage import clients

    client = clients.dynamodb(s.region, s.dynamodb_endpoint)
    try:
        client.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute})
    except (ClientError, BotoCoreError) as e:
        warnings.warn(f"{table}: this DynamoDB endpoint did not enable TTL ({e}); expired items stay stored",
                      RuntimeWarning, stacklevel=2)


def _lazy(obj: Any, attr: str, name: str) -> Any:
    if getattr(obj, attr, None) is None:
        with _lock:
            if getattr(obj, attr, None) is None:
                setattr(obj, attr, _backendless_service(name, obj.settings))
    return getattr(obj, attr)


def _backendless_service(name: str, s: Settings) -> Any:
    if name == "counters":
        from .core.counters import Counters
        from .storage.counters import DynamoCounterStore

        return Counters(DynamoCounterStore())
    if name == "cache":
        from .core.cache import Cache
        from .storage.cache import DynamoCacheStore

        return Cache(DynamoCacheStore())
    if name == "files":
        from .core.files import Files
        from .storage.blobs import S3BlobStore

        return Files(S3BlobStore(s.bucket, s.region, s.s3_endpoint))
    from .core.messaging import Messaging
    from .storage.mail import SesMailer
    from .storage.messages import DynamoMessageStore

    return Messaging(DynamoMessageStore(), SesMailer(mail_sender(), s.region))


def task_dispatcher(execute: Callable[[Any], Any], s: Settings) -> Any:
    """The worker Lambda inside AWS Lambda, or when BAAS_TASK_DISPATCH=lambda; a thread otherwise.

    A thread inside Lambda would be frozen with the response, so a deployed function never uses
    one whatever the setting. `chalice local` is no Lambda (it sets AWS_CHALICE_CLI_MODE), even if
    AWS_LAMBDA_FUNCTION_NAME leaks into its environment. The worker's name comes from
    BAAS_TASK_FUNCTION (per stage in .chalice/config.json; a Ref to the worker in the SAM template).
    """
    import os

    in_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME")) and not os.environ.get("AWS_CHALICE_CLI_MODE")
    if in_lambda or os.environ.get("BAAS_TASK_DISPATCH", "").strip().lower() == "lambda":
        from .storage.lambdas import LambdaDispatcher

        return LambdaDispatcher(os.environ.get("BAAS_TASK_FUNCTION", ""), s.region)
    return ThreadDispatcher(execute)


def mail_sender() -> str:
    """The verified SES sender of app emails (BAAS_MAIL_FROM)."""
    import os

    return os.environ.get("BAAS_MAIL_FROM", "no-reply@baas.local")
