"""Request and response models of the Lightblue routes, for the OpenAPI document (see ../openapi.py).

Lightblue's bodies are its own query/projection/update expression languages (expressions.py,
projection.py, updates.py): documented here as JSON objects by their top-level fields.
"""

from __future__ import annotations

from ..openapi import ANY, INT, OBJ, STR, Dialect, Op, arr, obj, one_of

ERROR_OBJECT = obj(("objectType", "errorCode"), objectType=STR, context=STR, errorCode=STR, msg=STR)
ERROR = obj(("status", "errors"), status={"const": "ERROR"}, modifiedCount=INT, matchCount=INT,
            errors=arr(ERROR_OBJECT))
RESULT = obj(("status",), status={"enum": ["COMPLETE", "PARTIAL", "ERROR", "ASYNC"]}, modifiedCount=INT,
             matchCount=INT, processed=arr(ANY), dataErrors=arr(OBJ), errors=arr(ERROR_OBJECT), taskHandle=STR,
             resultMetadata=arr(OBJ), entityVersion=STR, hostname=STR)
EXPR = one_of(OBJ, arr(OBJ))
RANGE = {"range": arr(INT), "from": INT, "to": INT, "maxResults": INT}
EXECUTION = obj(timeLimit=INT, asynchronous=INT)
INSERT = obj(data=one_of(OBJ, arr(OBJ)), projection=EXPR, execution=EXECUTION)
SAVE = obj(data=one_of(OBJ, arr(OBJ)), projection=EXPR, upsert={"type": "boolean"}, execution=EXECUTION)
UPDATE = obj(query=OBJ, update=EXPR, projection=EXPR, execution=EXECUTION, **RANGE)
DELETE = obj(query=OBJ, execution=EXECUTION)
FIND = obj(query=OBJ, projection=EXPR, sort=EXPR, execution=EXECUTION, **RANGE)

INSERT_OP = Op("Insert documents", body=INSERT, responses={"200": RESULT})
SAVE_OP = Op("Replace documents by identity (upsert optional)", body=SAVE, responses={"200": RESULT})
UPDATE_OP = Op("Update the documents a query matches", body=UPDATE, responses={"200": RESULT})
DELETE_OP = Op("Delete the documents a query matches", body=DELETE, responses={"200": RESULT})
FIND_OPS = {
    "GET": Op("Find with the simple syntax: Q (field:value), P (projection), S (sort)",
              query={"Q": STR, "P": STR, "S": STR, "from": STR, "to": STR, "maxResults": STR},
              responses={"200": RESULT}),
    "POST": Op("Find with a query, projection, sort and range", body=FIND, responses={"200": RESULT}),
}
BULK = Op("Several data operations in one request", body=obj(requests=arr(obj(op=STR, seq=INT, request=OBJ)),
                                                             ordered={"type": "boolean"}),
          responses={"200": obj(responses=arr(obj(seq=INT, response=RESULT)))})
TASK = Op("The state or the result of an asynchronous operation", responses={"200": RESULT})
LEGACY = Op("Insert (legacy spelling of insert)", body=INSERT, responses={"200": RESULT})

METADATA = obj(entityInfo=OBJ, schema=OBJ)
NAMES = Op("Entity names", responses={"200": obj(("entities",), entities=arr(STR))})
ENTITY_META = {
    "GET": Op("An entity's versions, or with `{entity}` = `s=<status>` / `roles` / `dependencies`, "
              "a listing over every entity", responses={"200": one_of(OBJ, arr(ANY))}),
    "PUT": Op("Update an entity's info (entityInfo)", body=OBJ, responses={"200": OBJ}),
    "DELETE": Op("Delete an entity and every version", responses={"200": None}),
}
VERSION_META = {
    "GET": Op("One version's metadata (entityInfo + schema)", responses={"200": one_of(OBJ, arr(ANY))}),
    "PUT": Op("Create an entity version (or `schema=<version>` to add a schema)", body=METADATA,
              responses={"200": OBJ}),
    "DELETE": Op("Remove a version", responses={"200": one_of(OBJ, {"type": "null"}), "204": None}),
}
ACTION_META = {
    "GET": Op("`roles` or `dependencies` of a version", responses={"200": one_of(OBJ, arr(ANY))}),
    "PUT": Op("`default`: make this the default version; `active`/`deprecated`/`disabled`: its status",
              query={"comment": STR}, responses={"200": OBJ}),
    "POST": Op("Same as PUT", query={"comment": STR}, responses={"200": OBJ}),
}

DIALECT = Dialect(
    name="lightblue", prefix="/lightblue", title="Lightblue",
    description="Lightblue's data and metadata REST APIs over the shared core. Authenticate with "
                "`Authorization: Bearer <token>` from the Usergrid token endpoints; an org admin token names "
                "the app in `X-App-Id`.",
    error=ERROR, headers={"Authorization": STR, "X-App-Id": STR})
