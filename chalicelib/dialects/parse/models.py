"""The Parse routes and their request/response models, for the OpenAPI document (see ../openapi.py).

Chalice sees only the four segment dispatchers of common.py (`/{a}` ... `/{a}/{b}/{c}/{d}`, marked
openapi.EXPAND); what a client calls is decided by the `@route` registry (`common.ROUTES`, first
segment -> handler). ROUTES lists every logical route, handler by handler; tests/test_openapi.py
checks that each registered first segment is documented and each documented path reaches its
handler (tests/parse/test_openapi_routes.py), and the fuzz test drives every one of them.

Statuses follow Parse Server 9: 201 for creates, 200 otherwise, 302 for a file download; errors are
`{"code": n, "error": "..."}`, except the bare `{"error": "unauthorized"}` / `{"error": "Permission
denied"}` 403s (bad keys, master-only routes), hence `code` is not required in the envelope.
"""

from __future__ import annotations

from ..openapi import ANY, BOOL, INT, OBJ, STR, Dialect, Logical, Op, arr, obj, one_of

ERROR = obj(("error",), code=INT, error=STR)
DATE = obj(("__type", "iso"), __type={"const": "Date"}, iso=STR)
ACL = {"type": "object", "additionalProperties": obj(read=BOOL, write=BOOL)}
OBJECT = obj(objectId=STR, createdAt=STR, updatedAt=STR, ACL=ACL)
CREATED = obj(("objectId", "createdAt"), objectId=STR, createdAt=STR)
UPDATED = obj(("updatedAt",), updatedAt=STR)
EMPTY = OBJ  # `{}`
FIND = {"where": STR, "order": STR, "limit": STR, "skip": STR, "keys": STR, "excludeKeys": STR, "include": STR,
        "count": STR}
GET_ONE = {"include": STR, "keys": STR, "excludeKeys": STR}
RESULTS = obj(("results",), results=arr(OBJECT), count=INT)
USER = obj(objectId=STR, username=STR, email=ANY, sessionToken=STR, createdAt=STR, updatedAt=STR)
CREDENTIALS = obj(username=STR, email=STR, password=STR)
SCHEMA = obj(("className", "fields"), className=STR, fields={"type": "object", "additionalProperties": OBJ},
             classLevelPermissions=OBJ, indexes=OBJ)
SCHEMA_BODY = obj(className=STR, fields={"type": "object", "additionalProperties": OBJ}, classLevelPermissions=OBJ,
                  indexes=OBJ)
SESSION = obj(objectId=STR, user=obj(__type=STR, className=STR, objectId=STR), sessionToken=STR, expiresAt=DATE,
              createdWith=OBJ, installationId=STR, restricted=BOOL)
INSTALLATION = obj(installationId=STR, deviceToken=STR, deviceType=STR, channels=arr(STR), pushType=STR,
                   timeZone=STR, localeIdentifier=STR, badge=one_of(INT, OBJ), appVersion=STR, appName=STR, appIdentifier=STR,
                   parseVersion=STR)
BATCH_ITEM = one_of(obj(("success",), success=ANY), obj(("error",), error=ERROR))
AGGREGATE = {"pipeline": STR, "distinct": STR, "where": STR, **{f"${s}": STR for s in (
    "match", "group", "project", "sort", "limit", "skip", "count", "unwind")}}
FILE = obj(("name", "url"), name=STR, url=STR, uploadURL=STR, method=STR, headers=OBJ, expiresIn=INT)
FILE_BODY = obj(base64=STR, _ContentType=STR, _UploadMode={"enum": ["presigned"]})
P = "/parse"


def _class_routes(base: str, what: str, create: Op) -> list[Logical]:
    """The object routes of a class (`/classes/{className}`, `/roles`, `/installations`, `/users`)."""
    one = f"{base}/{{objectId}}"
    return [
        ("POST", base, create),
        ("GET", base, Op(f"Find {what} (where, order, limit, skip, keys, excludeKeys, include, count)", query=FIND,
                         responses={"200": RESULTS})),
        ("GET", one, Op(f"One of {what}; `include` expands pointers", query=GET_ONE, responses={"200": OBJECT})),
        ("PUT", one, Op(f"Update one of {what} (fields, atomic operators, relations, ACL)", body=OBJ,
                        responses={"200": UPDATED})),
        ("DELETE", one, Op(f"Delete one of {what}", responses={"200": EMPTY})),
    ]


ROUTES: list[Logical] = [
    # objects.py: classes, roles
    *_class_routes(f"{P}/classes/{{className}}", "objects of a class",
                   Op("Create an object (fields, ACL, atomic operators, relations)", body=OBJ,
                      responses={"201": CREATED})),
    *_class_routes(f"{P}/roles", "roles (_Role)",
                   Op("Create a role (`name`, ACL, `users` and `roles` relations)", body=obj(("name",), name=STR),
                      responses={"201": CREATED})),
    # users.py
    ("GET", f"{P}/users/me", Op("The session's user, with its session token", responses={"200": USER})),
    *_class_routes(f"{P}/users", "users (_User)",
                   Op("Sign up: username and password, other fields as an object's; answers a session token",
                      body=obj(("username", "password"), username=STR, password=STR, email=STR),
                      responses={"201": obj(("objectId", "createdAt", "sessionToken"), objectId=STR, createdAt=STR,
                                            sessionToken=STR)})),
    ("GET", f"{P}/login", Op("Log in (username or email, password as query parameters)",
                             query={"username": STR, "email": STR, "password": STR}, responses={"200": USER})),
    ("POST", f"{P}/login", Op("Log in (username or email, password in the body)", body=CREDENTIALS,
                              responses={"200": USER})),
    ("POST", f"{P}/logout", Op("Revoke the session token", responses={"200": EMPTY})),
    ("POST", f"{P}/requestPasswordReset", Op("Mail a password reset code", body=obj(("email",), email=STR),
                                             responses={"200": EMPTY})),
    ("POST", f"{P}/verificationEmailRequest", Op("Mail an email verification code", body=obj(("email",), email=STR),
                                                 responses={"200": EMPTY})),
    ("GET", f"{P}/sessions", Op("Find the caller's sessions (all with the master key): where, order, limit, "
                                "skip, keys, excludeKeys, include, count", query=FIND,
                                responses={"200": obj(("results",), results=arr(SESSION), count=INT)})),
    ("GET", f"{P}/sessions/me", Op("The current session", responses={"200": SESSION})),
    ("GET", f"{P}/sessions/{{objectId}}", Op("A session; `include` expands pointers", query=GET_ONE,
                                             responses={"200": SESSION})),
    ("DELETE", f"{P}/sessions/{{objectId}}", Op("Delete a session (revokes its token)", responses={"200": EMPTY})),
    # installations.py
    *_class_routes(f"{P}/installations", "installations (_Installation)",
                   Op("Register a device: 201 when new, 200 (an update) when its installationId or deviceToken "
                      "is known", body=INSTALLATION, responses={"201": CREATED, "200": UPDATED})),
    # batch.py
    ("POST", f"{P}/batch", Op("Run up to 50 commands in order; each answers {success} or {error}",
                              body=obj(("requests",), requests=arr(obj(("method", "path"), method=STR, path=STR,
                                                                       body=ANY))),
                              responses={"200": arr(BATCH_ITEM)})),
    # files.py
    ("POST", f"{P}/files/{{filename}}", Op(
        "Upload a file: the bytes with their Content-Type, or JSON `{base64, _ContentType}`; "
        "`{\"_UploadMode\": \"presigned\"}` answers an S3 URL to PUT big files to", body=FILE_BODY,
        responses={"201": FILE})),
    ("GET", f"{P}/files/{{appId}}/{{filename}}", Op("Download: a redirect to a short-lived S3 URL (public)",
                                                    responses={"302": None})),
    ("DELETE", f"{P}/files/{{filename}}", Op("Delete a file (master key)", responses={"200": EMPTY})),
    # functions.py
    ("POST", f"{P}/functions/{{functionName}}", Op("Run a Cloud function with the body as its params", body=OBJ,
                                                   responses={"200": obj(("result",), result=ANY)})),
    ("GET", f"{P}/functions/{{functionName}}", Op("Run a Cloud function with the query as its params",
                                                  responses={"200": obj(("result",), result=ANY)})),
    # schemas.py (master key)
    ("GET", f"{P}/schemas", Op("Every class's schema", responses={"200": obj(("results",), results=arr(SCHEMA))})),
    ("POST", f"{P}/schemas", Op("Create a class (className in the body)", body=SCHEMA_BODY,
                                responses={"200": SCHEMA})),
    ("GET", f"{P}/schemas/{{className}}", Op("A class's schema", responses={"200": SCHEMA})),
    ("POST", f"{P}/schemas/{{className}}", Op("Create a class", body=SCHEMA_BODY, responses={"200": SCHEMA})),
    ("PUT", f"{P}/schemas/{{className}}", Op("Add or delete fields, set CLPs and indexes", body=SCHEMA_BODY,
                                             responses={"200": SCHEMA})),
    ("DELETE", f"{P}/schemas/{{className}}", Op("Drop an empty class", responses={"200": EMPTY})),
    # config.py
    ("GET", f"{P}/config", Op("The app's config parameters", responses={"200": obj(("params",), params=OBJ,
                                                                                    masterKeyOnly=OBJ)})),
    ("PUT", f"{P}/config", Op("Set config parameters (master key)", body=obj(params=OBJ, masterKeyOnly=OBJ),
                              responses={"200": obj(("result",), result=BOOL)})),
    # aggregate.py (master key)
    ("GET", f"{P}/aggregate/{{className}}", Op(
        "Aggregate: `pipeline` (array or object of stages), `distinct`, `where`, or the stages as parameters",
        query=AGGREGATE, responses={"200": obj(("results",), results=arr(ANY))})),
    # purge.py (master key)
    ("DELETE", f"{P}/purge/{{className}}", Op("Delete every object of a class", responses={"200": EMPTY})),
    # server.py
    ("GET", f"{P}/serverInfo", Op("Features and version (master key)", responses={"200": obj(
        ("features", "parseServerVersion"), features=OBJ, parseServerVersion=STR)})),
    ("GET", f"{P}/health", Op("Liveness, without keys", responses={"200": obj(("status",), status=STR)})),
    ("POST", f"{P}/events/{{eventName}}", Op("Analytics event (accepted and dropped, as Parse's default adapter)",
                                             body=OBJ, responses={"200": EMPTY})),
    ("POST", f"{P}/push", Op("Push: no adapter is configured, always 400 code 115 (master key)", body=OBJ,
                             responses={"400": ERROR})),
    ("GET", f"{P}/push_audiences", Op("Push audiences: always 400 code 115 (master key)",
                                      responses={"400": ERROR})),
    ("POST", f"{P}/jobs/{{jobName}}", Op("Start a job (master key); X-Parse-Job-Status-Id names its _JobStatus",
                                         body=OBJ, responses={"200": EMPTY})),
    ("GET", f"{P}/cloud_code/jobs/data", Op("The Dashboard's job list (master key)", responses={"200": obj(
        ("in_use", "jobs"), in_use=arr(STR), jobs=arr(STR))})),
    ("GET", f"{P}/cloud_code/jobs", Op("Scheduled jobs: none (master key)", responses={"200": arr(ANY)})),
]

HEADERS = {"X-Parse-Application-Id": STR, "X-Parse-REST-API-Key": STR, "X-Parse-Master-Key": STR,
           "X-Parse-Session-Token": STR, "X-Parse-Installation-Id": STR}

DIALECT = Dialect(
    name="parse", prefix="/parse", title="Parse Server",
    description="Parse Server 9's REST API under `/parse`: the app uuid in `X-Parse-Application-Id`, its REST API "
                "key in `X-Parse-REST-API-Key` (or the JavaScript/client key headers), the master key in "
                "`X-Parse-Master-Key`, a `r:` session token in `X-Parse-Session-Token`. The JS SDK's style "
                "(a text/plain POST whose JSON body carries `_method`, `_ApplicationId`, `_JavaScriptKey`, "
                "`_SessionToken`...) is accepted on every route too. Errors are `{code, error}` (HTTP 404 for "
                "code 101, 400 otherwise); bad keys and master-only routes answer a bare 403 `{error}`.",
    error=ERROR, headers=HEADERS, expand=lambda: ROUTES)
