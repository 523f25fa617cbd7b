"""Request and response models of the Backendless routes, for the OpenAPI document (see ../openapi.py).

`route(path, spec=..., GET=...)` in each module names one of these; methods a path registers without
a handler answer Backendless' 404 and are left out of the document (openapi.NOT_SERVED).
"""

from __future__ import annotations

from ..openapi import ANY, BOOL, INT, NUM, OBJ, STR, Dialect, Op, arr, obj, one_of

ERROR = obj(("code", "message"), code=INT, message=STR, errorData=OBJ)
OBJECT = obj(objectId=STR, created=one_of(INT, {"type": "null"}), updated=one_of(INT, {"type": "null"}),
             ownerId=one_of(STR, {"type": "null"}), ___class=STR)
PAGE = {"pageSize": STR, "offset": STR, "where": STR, "sortBy": STR, "props": STR, "property": STR,
        "loadRelations": STR, "relationsDepth": STR, "relationsPageSize": STR, "groupBy": STR, "having": STR, "distinct": STR}
FIND_BODY = obj(where=STR, pageSize=INT, offset=INT, sortBy=one_of(STR, arr(STR)), props=one_of(STR, arr(STR)),
                loadRelations=one_of(STR, arr(STR)), relationsDepth=INT, relationsPageSize=INT)

TABLE = {
    "GET": Op("Find objects (where, sortBy, pageSize, offset, props)", query=PAGE, responses={"200": arr(OBJECT)}),
    "POST": Op("Create an object", body=OBJ, responses={"200": OBJECT}),
    "PUT": Op("Save an object (create, or update by objectId)", body=OBJ, responses={"200": OBJECT}),
}
FIND = {
    "GET": Op("Find objects (query string)", query=PAGE, responses={"200": arr(OBJECT)}),
    "POST": Op("Find objects (body)", body=FIND_BODY, responses={"200": arr(OBJECT)}),
}
COUNT = {
    "GET": Op("Count the objects matching `where`", query={"where": STR}, responses={"200": INT}),
    "POST": Op("Count the objects matching `where` (body)", body=obj(where=STR), responses={"200": INT}),
}
OBJECT_OPS = {
    "GET": Op("One object by objectId (or `first` / `last`)", query={"props": STR, "property": STR,
              "loadRelations": STR, "relationsDepth": STR, "relationsPageSize": STR}, responses={"200": OBJECT}),
    "PUT": Op("Update an object", body=OBJ, responses={"200": OBJECT}),
    "DELETE": Op("Delete an object", responses={"200": obj(deletionTime=INT)}),
}
RELATION_CHILDREN = arr(one_of(STR, obj(objectId=STR)))
RELATION = {
    "GET": Op("The related objects of one object (relation paging: pageSize, offset, where, sortBy, props, "
              "loadRelations, relationsDepth, relationsPageSize)", query=PAGE, responses={"200": arr(OBJECT)}),
    "POST": Op("Set a relation (replace its children): a JSON array of child objectIds, or `whereClause`; "
               "`relation` may declare a new column as name:Table:1 or name:Table:n; answers the count",
               query={"whereClause": STR}, body=RELATION_CHILDREN, responses={"200": INT}),
    "PUT": Op("Add children to a relation (as set); answers how many were added", query={"whereClause": STR},
              body=RELATION_CHILDREN, responses={"200": INT}),
    "DELETE": Op("Remove children from a relation; answers how many were removed", query={"whereClause": STR},
                 body=RELATION_CHILDREN, responses={"200": INT}),
}
BULK = {
    "POST": Op("Create objects; answers their objectIds", body=arr(OBJ), responses={"200": arr(STR)}),
    "PUT": Op("Update every object matching `where`; answers the count", query={"where": STR}, body=OBJ,
              responses={"200": INT}),
    "DELETE": Op("Delete every object matching `where`; answers the count", query={"where": STR},
                 responses={"200": INT}),
}
BULK_DELETE = Op("Delete every object matching `where` (body); answers the count", body=obj(where=STR),
                 responses={"200": INT})

TRANSFER = Op("Rename, copy or move a file or directory",
              body=obj(oldPathName=STR, newName=STR, sourcePath=STR, targetPath=STR), responses={"200": STR})
FILE_LISTING = arr(obj(name=STR, url=STR, size=INT, createdOn=INT, publicUrl=STR))
FILE = {
    "GET": Op("Download (302 to a presigned S3 URL), list a directory (`pattern`, `sub`, `pagesize`, "
              "`offset`) or count (`action=count`)",
              query={"pattern": STR, "sub": STR, "pagesize": STR, "offset": STR, "action": STR, "countDirectories": STR},
              responses={"200": one_of(FILE_LISTING, INT, OBJ), "302": None}),
    "POST": Op("Upload a file (multipart/form-data: answers {fileURL}); an empty body creates a directory "
               "(answers an empty body)", query={"overwrite": STR}, body=ANY,
               body_types=("multipart/form-data", "application/octet-stream"), responses={"200": None}),
    "DELETE": Op("Delete a file or directory (an empty body)", responses={"200": None}),
}
BINARY = {
    "PUT": Op("Save a file from base64 text in the body; `overwrite`", query={"overwrite": STR},
              body=STR, body_types=("text/plain",), responses={"200": STR}),
    "GET": Op("Same as the file route", responses={"200": ANY, "302": None}),
    "POST": Op("Same as the file route", body=ANY, body_types=("application/octet-stream",), responses={"200": None}),
    "DELETE": Op("Same as the file route", responses={"200": None}),
}
UPLOAD_URL = Op("A presigned S3 upload for a large file (around the Lambda)",
                body=obj(contentType=STR), responses={"200": OBJ})

COUNTER = Op("A counter's value", responses={"200": INT})
COUNTER_LIST = Op("Counter names matching a pattern (`*` wildcard)", responses={"200": arr(STR)})
COUNTER_RESET = Op("Reset a counter to 0 (an empty body)", responses={"200": None})
COUNTER_ADD = Op("Add to a counter (`value` for incrementby); answers the value before or after",
                 query={"value": STR}, responses={"200": INT})
COMPARE_AND_SET = Op("Set a counter to `updatedvalue` if it is `expected`",
                     query={"expected": STR, "updatedvalue": STR}, responses={"200": BOOL})
CACHE = {
    "GET": Op("A cached value (null when absent or expired)", responses={"200": ANY}),
    "PUT": Op("Cache a JSON value; `timeout` in seconds (an empty body)", query={"timeout": STR}, body=ANY,
              responses={"200": None}),
    "POST": Op("Same as PUT", query={"timeout": STR}, body=ANY, responses={"200": None}),
    "DELETE": Op("Remove a cached value (an empty body)", responses={"200": None}),
}
CACHE_CHECK = Op("Whether a key is cached", responses={"200": BOOL})
EXPIRE_IN = Op("Expire a cached value in `timeout` seconds (an empty body)", query={"timeout": STR},
               responses={"200": None})
EXPIRE_AT = Op("Expire a cached value at `timestamp` (ms) (an empty body)", query={"timestamp": STR},
               responses={"200": None})

EMAIL = Op("Send an email", body=obj(subject=STR, to=arr(STR), bodyparts=obj(textmessage=STR, htmlmessage=STR)),
           responses={"200": OBJ})
CHANNEL = {
    "POST": Op("Publish a message", body=obj(("message",), message=ANY, headers=OBJ, publishAt=NUM, repeatEvery=NUM,
                                             repeatExpiresAt=NUM), responses={"200": obj(messageId=STR, status=STR)}),
    "GET": Op("Poll a channel", responses={"200": OBJ}),
}
SUBSCRIBE = Op("Subscribe to a channel", body=obj(selector=STR), responses={"200": obj(subscriptionId=STR)})
POLL = Op("Messages of a subscription since the last poll", responses={"200": obj(messages=arr(OBJ))})
GEO = {
    "GET": Op("Geo points by category, in a radius or a rectangle",
              query={"categories": STR, "lat": STR, "lon": STR, "radius": STR, "units": STR, "pageSize": STR,
                     "offset": STR, "nwlat": STR, "nwlon": STR, "selat": STR, "selon": STR},
              responses={"200": arr(OBJ)}),
    "POST": Op("Add a geo point", body=obj(latitude=NUM, longitude=NUM, categories=arr(STR), metadata=OBJ),
               responses={"200": OBJ}),
}
SERVICE = Op("Invoke a Cloud Code method with the JSON body as its arguments", body=ANY, responses={"200": ANY})
INFO = Op("The app's info", responses={"200": OBJ})
REGISTER = Op("Register a user", body=obj(email=STR, password=STR, name=STR), responses={"200": OBJECT})
LOGIN = Op("Log in; answers the user with its user-token", body=obj(("login", "password"), login=STR, password=STR),
           responses={"200": obj(**{"user-token": STR})})
LOGOUT = Op("Log out (revoke the user-token; an empty body)", responses={"200": None})
VALID_TOKEN = Op("Whether a user-token is valid", responses={"200": BOOL})
RESTORE = Op("Send a password reset email (an empty body)", responses={"200": None})
USER = {
    "GET": Op("A user by objectId", responses={"200": OBJECT}),
    "PUT": Op("Update a user (self or the app)", body=OBJ, responses={"200": OBJECT}),
}

DIALECT = Dialect(
    name="backendless", prefix="/backendless", title="Backendless",
    description="The Backendless REST API (seed 002, JS SDK 8.x) under `/backendless/{app_id}/{rest_key}`, with the "
                "app uuid and REST API key; a logged-in caller sends `user-token`.",
    error=ERROR, headers={"user-token": STR})
