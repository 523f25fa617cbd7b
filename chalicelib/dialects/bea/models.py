"""The BEA routes and their request/response models, for the OpenAPI document (see ../openapi.py).

Chalice sees only the segment dispatchers of common.py (`/1/{a}` ... marked openapi.EXPAND); the
routes a client uses are decided by the routers of objects.py, users.py, media.py and builtins.py.
ROUTES lists them, router by router, and tests/test_openapi.py checks each one reaches its router
(no "unknown route" answer); the fuzz test then drives every one of them.
"""

from __future__ import annotations

from ..openapi import ANY, INT, OBJ, STR, Dialect, Logical, Op, arr, obj, one_of

ERROR = obj(("code", "error"), code=INT, error=STR)
OBJECT = obj(objectId=STR, createdAt=STR, updatedAt=STR)
CREATED = obj(("objectId",), objectId=STR, createdAt=STR)
QUERY = {"where": STR, "order": STR, "limit": STR, "skip": STR, "keys": STR, "fields": STR, "include": STR,
         "count": STR}
RESULTS = obj(("results",), results=arr(OBJECT), count=INT)
JSON_OR_FORM = ("application/json", "application/x-www-form-urlencoded")
P = "/bea/1"

ROUTES: list[Logical] = [
    # objects.py: batch_route
    ("POST", f"{P}/batch", Op("Run up to 50 commands; each answers {success} or {error}",
                              body=obj(("requests",), requests=arr(obj(method=STR, path=STR, body=ANY))),
                              responses={"200": obj(("results",), results=arr(OBJ))})),
    # users.py: users_route (before object_route: `Users` is a class of its own)
    ("POST", f"{P}/users", Op("Sign up (username, password, email); answers a session token",
                              body=obj(username=STR, password=STR, email=STR), body_types=JSON_OR_FORM,
                              responses={"201": obj(objectId=STR, sessionToken=STR), "200": OBJ})),
    ("GET", f"{P}/users", Op("Query users", query=QUERY, responses={"200": RESULTS})),
    ("GET", f"{P}/users/login", Op("Log in (username, password as query parameters)",
                                   query={"username": STR, "password": STR}, responses={"200": OBJECT})),
    ("POST", f"{P}/users/login", Op("Log in (username, password in the body)",
                                    body=obj(username=STR, password=STR), body_types=JSON_OR_FORM,
                                    responses={"200": OBJECT})),
    ("GET", f"{P}/login", Op("Log in (Parse's spelling)", query={"username": STR, "password": STR},
                             responses={"200": OBJECT})),
    ("POST", f"{P}/login", Op("Log in (Parse's spelling, body)", body=obj(username=STR, password=STR),
                              body_types=JSON_OR_FORM, responses={"200": OBJECT})),
    ("POST", f"{P}/users/logout", Op("Revoke the session token", responses={"200": OBJ})),
    ("GET", f"{P}/users/me", Op("The session's user", responses={"200": OBJECT})),
    ("POST", f"{P}/users/requestPasswordReset", Op("Mail a password reset link", body=obj(email=STR),
                                                   body_types=JSON_OR_FORM, responses={"200": OBJ})),
    ("GET", f"{P}/users/{{objectId}}", Op("A user", query={"include": STR, "keys": STR}, responses={"200": OBJECT})),
    ("PUT", f"{P}/users/{{objectId}}", Op("Update oneself", body=OBJ, body_types=JSON_OR_FORM,
                                          responses={"200": OBJ})),
    ("DELETE", f"{P}/users/{{objectId}}", Op("Delete oneself", responses={"200": OBJ})),
    # builtins.py: builtin_route
    ("POST", f"{P}/_locale/addLang", Op("Add a language to every _locale key", body=obj(lang=STR),
                                        responses={"200": obj(lang=STR, updated=INT)})),
    ("POST", f"{P}/_emails/send", Op("Send an email built from an _emails template",
                                     body=obj(template=STR, to=one_of(STR, arr(STR)), lang=STR, params=OBJ),
                                     responses={"200": OBJ})),
    # objects.py: object_route
    ("POST", f"{P}/{{className}}", Op("Create an object (JSON, form) or upload media (multipart)", body=OBJ,
                                      body_types=(*JSON_OR_FORM, "multipart/form-data"),
                                      responses={"201": CREATED, "200": OBJ})),
    ("GET", f"{P}/{{className}}", Op("Query a class (where, order, limit, skip, keys, include, count)",
                                     query=QUERY, responses={"200": RESULTS})),
    ("GET", f"{P}/{{className}}/{{objectId}}", Op("An object", query={"include": STR, "keys": STR, "fields": STR},
                                                  responses={"200": OBJECT})),
    ("PUT", f"{P}/{{className}}/{{objectId}}", Op("Update an object (atomic operators: +=, addUnique, ...)",
                                                  body=OBJ, body_types=JSON_OR_FORM,
                                                  responses={"200": obj(updatedAt=STR)})),
    ("DELETE", f"{P}/{{className}}/{{objectId}}", Op("Delete an object", responses={"201": obj(objectId=STR)})),
    # media.py: media_route
    ("GET", f"{P}/{{className}}/{{objectId}}/media", Op("An object's media files; `name` redirects to one",
                                                        query={"name": STR},
                                                        responses={"200": obj(results=arr(OBJ)), "302": None})),
    ("DELETE", f"{P}/{{className}}/{{objectId}}/media", Op("Delete an object's media (all, or `name`)",
                                                           query={"name": STR}, responses={"200": OBJ})),
]

DIALECT = Dialect(
    name="bea", prefix="/bea", title="BEA Engine (Parse-style)",
    description="Objects, queries, users, media and batch under `/bea/1`, with the app uuid in "
                "`X-BEA-Application-Id`, its REST API key in `X-BEA-Authorization` and a `X-BEA-Session-Token` "
                "once logged in. Errors are `{code, error}`.",
    error=ERROR, headers={"X-BEA-Application-Id": STR, "X-BEA-Authorization": STR, "X-BEA-Session-Token": STR},
    expand=lambda: ROUTES)
