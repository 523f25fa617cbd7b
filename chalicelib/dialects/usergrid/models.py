"""Request and response models of the Usergrid routes, for the OpenAPI document (see ../openapi.py).

The views name these next to their route (`@view(path, methods, spec=...)`); loose where Usergrid is
schemaless (entity properties), exact where a client relies on a field (envelope, tokens, errors).
"""

from __future__ import annotations

from ..openapi import ANY, INT, OBJ, STR, Dialect, Op, arr, obj, one_of

ERROR = obj(("error", "error_description"), error=STR, error_description=STR, exception=STR, timestamp=INT,
            duration=INT)
ENTITY = obj(("uuid", "type"), uuid=STR, type=STR, name=STR, created=INT, modified=INT, metadata=OBJ)
ENVELOPE = obj(("action",), action=STR, application=STR, params=OBJ, path=STR, uri=STR, entities=arr(ENTITY),
               cursor=STR, count=INT, timestamp=INT, duration=INT, organization=STR, applicationName=STR)
TOKEN = obj(("access_token", "expires_in"), access_token=STR, expires_in=INT, user=OBJ, application=STR,
            organization=OBJ)
PROPS = one_of(OBJ, arr(OBJ))
QUERY = {"ql": STR, "limit": STR, "cursor": STR}
AUTH = {"access_token": STR}

TOKEN_BODY = obj(grant_type=STR, username=STR, password=STR, client_id=STR, client_secret=STR, ttl=INT)
TOKEN_OP = Op("OAuth2 token: grant_type password (a user) or client_credentials (the app's keys)",
              query={"grant_type": STR, "username": STR, "password": STR, "client_id": STR, "client_secret": STR,
                     "ttl": STR}, body=TOKEN_BODY,
              body_types=("application/json", "application/x-www-form-urlencoded"), responses={"200": TOKEN})

APPLICATION = Op("The application: its collections and metadata", query=AUTH, responses={"200": ENVELOPE})
COLLECTION = {
    "GET": Op("Query a collection (ql, limit, cursor); `/events` and `/counters` read counters",
              query={**QUERY, **AUTH, "counter": STR, "start_time": STR, "end_time": STR, "resolution": STR},
              responses={"200": ENVELOPE}),
    "POST": Op("Create one entity (object) or several (array); `/events` increments counters",
               query=AUTH, body=PROPS, responses={"200": ENVELOPE}),
    "PUT": Op("Update every entity that `ql` matches", query={**QUERY, **AUTH}, body=OBJ,
              responses={"200": ENVELOPE}),
    "DELETE": Op("Delete every entity that `ql` matches", query={**QUERY, **AUTH}, responses={"200": ENVELOPE}),
}
ENTITY_OPS = {
    "GET": Op("One entity by uuid or name; with an Accept of its asset's type, the asset's bytes",
              query=AUTH, responses={"200": ENVELOPE, "302": None}),
    "PUT": Op("Update an entity (JSON), or store its asset (any other content type)", query=AUTH, body=ANY,
              body_types=("application/json", "application/octet-stream"), responses={"200": ENVELOPE}),
    "DELETE": Op("Delete an entity", query=AUTH, responses={"200": ENVELOPE}),
}
VERB = {
    "GET": Op("Below an entity: a connection list (`likes`), every outbound connection (`connections`) or "
              "inbound one (`connecting`), newest first, a user's `followers`, `feed`, `activities`, `roles`, `groups`, `users`, "
              "`permissions`", query={**QUERY, **AUTH}, responses={"200": ENVELOPE}),
    "POST": Op("Below an entity: an activity, a permission (`roles/<r>/permissions`), an asset upload URL "
               "(`asset`)", query=AUTH, body=OBJ, responses={"200": ENVELOPE}),
    "PUT": Op("A user's `password` (oldpassword, newpassword)", query=AUTH,
              body=obj(oldpassword=STR, newpassword=STR), responses={"200": ENVELOPE}),
    "DELETE": Op("Revoke a permission (`permissions?permission=...`)", query={**AUTH, "permission": STR},
                 responses={"200": ENVELOPE}),
}
TARGET = {
    "GET": Op("A connected entity (`likes/<uuid>`), a connection list (`connecting/<verb>`, "
              "`connections/<verb>`), or the entities of a role or group", query={**QUERY, **AUTH},
              responses={"200": ENVELOPE}),
    "POST": Op("Connect to an entity by uuid, or add a user to a role or group", query=AUTH, body=OBJ,
               responses={"200": ENVELOPE}),
    "DELETE": Op("Disconnect, or remove from a role or group", query=AUTH, responses={"200": ENVELOPE}),
}
TYPED_TARGET = {
    "GET": Op("One connection: the target entity, 404 when the two are not connected (also "
              "`connections/<verb>/<uuid>`)", query=AUTH,
              responses={"200": ENVELOPE}),
    "POST": Op("Connect to an entity of another collection by name or uuid (or by uuid: "
               "`connections/<verb>/<uuid>`)", query=AUTH, body=OBJ,
               responses={"200": ENVELOPE}),
    "DELETE": Op("Disconnect from an entity of another collection", query=AUTH, responses={"200": ENVELOPE}),
}

SIGNUP = Op("Sign up an organization and its first admin", body=obj(
    ("organization", "username", "password"), organization=STR, username=STR, name=STR, email=STR, password=STR),
    body_types=("application/json", "application/x-www-form-urlencoded"), responses={"200": OBJ})
ADMIN_TOKEN = Op("An org admin's token (grant_type password)", query={"grant_type": STR, "username": STR,
                 "password": STR, "ttl": STR}, body=TOKEN_BODY,
                 body_types=("application/json", "application/x-www-form-urlencoded"), responses={"200": TOKEN})
ORG_APPS = {
    "GET": Op("The organization's applications (org admin)", query=AUTH, responses={"200": OBJ}),
    "POST": Op("Create an application (org admin)", query=AUTH, body=obj(("name",), name=STR),
               responses={"200": OBJ}),
}
CREDENTIALS = {
    "GET": Op("The app's client credentials, uuid, REST API key and master key (org admin)", query=AUTH,
              responses={"200": obj(("credentials",), credentials=obj(client_id=STR, client_secret=STR), uuid=STR,
                                    rest_api_key=STR, master_key=STR)}),
    "POST": Op("Rotate the app's client secret (org admin)", query=AUTH, responses={"200": OBJ}),
}
APP_COLLECTIONS = Op("Every collection the app has entities in (org admin)", query=AUTH,
                     responses={"200": obj(("collections",), collections=arr(STR))})
LAYOUT = dict(collection=STR, shards=INT, writing=INT, switch_ms=INT, live=arr(INT), migrated=ANY)
COLLECTION_SHARDS = {
    "GET": Op("A collection's index layout: shards per index, the live layouts readers merge (org admin)",
              query=AUTH, responses={"200": obj(("shards", "live"), **LAYOUT)}),
    "PUT": Op("Spread each index of the collection over `shards` partition keys (1..256; org admin)",
              query=AUTH, body=obj(("shards",), shards=INT), responses={"200": obj(("shards", "live"), **LAYOUT)}),
}
COLLECTION_MIGRATE = Op("One step of rewriting the collection's index entries under its layout; repeat with "
                        "`cursor` until none is returned (org admin)", query=AUTH,
                        body=obj(cursor=STR, limit=INT),
                        responses={"200": obj(("moved",), moved=INT, read=INT, cursor=STR, **LAYOUT)})
SPELLINGS = Op("One step of recording the mixed-case property names stored before they were recorded, so that "
               "ql finds them in any case; repeat with `cursor` until none is returned (org admin or the app's "
               "credentials)", query=AUTH, body=obj(cursor=STR, limit=INT),
               responses={"200": obj(("read", "recorded"), read=INT, recorded=INT, collections=arr(STR), cursor=STR)})
APP_EXPORT = Op("One page of a collection as export lines, with the next page's cursor (org admin)",
                query={**AUTH, "collection": STR, "limit": STR, "cursor": STR},
                responses={"200": obj(("entities",), entities=arr(OBJ), cursor=STR, count=INT)})
APP_IMPORT = Op("Create up to 100 exported entities, keeping uuids; re-running skips what exists (org admin)",
                query=AUTH, body=obj(("collection", "entities"), collection=STR, entities=arr(OBJ)),
                responses={"200": obj(imported=INT, skipped=INT)})
FILE_RECORD = obj(("path",), path=STR, directory=ANY, content_type=STR, owner=STR, size=INT, modified=INT,
                  data=STR, url=STR)
APP_FILES = {
    "GET": Op("One page of the app's free-standing files: small ones inlined as base64, big ones as "
              "presigned GET URLs, with the next page's cursor (org admin)",
              query={**AUTH, "limit": STR, "cursor": STR},
              responses={"200": obj(("files",), files=arr(FILE_RECORD), cursor=STR, count=INT)}),
    "POST": Op("Restore up to 50 exported files, keeping paths and owners; existing paths are skipped, "
               "records without data get a presigned PUT URL (org admin)",
               query=AUTH, body=obj(("files",), files=arr(FILE_RECORD)),
               responses={"200": obj(imported=INT, skipped=arr(OBJ), uploads=arr(OBJ))}),
}
ADMIN = obj(("uuid", "username"), uuid=STR, type=STR, username=STR, email=STR, name=STR, activated=ANY,
            disabled=ANY)
ADMIN_BODY = obj(("username", "email", "password"), username=STR, name=STR, email=STR, password=STR)
MGMT = obj(("action",), action=STR, status=STR, timestamp=INT, duration=INT, data=ANY)
NEW_ADMIN = Op("Create an admin user without an organization (open signup only)", body=ADMIN_BODY,
               body_types=("application/json", "application/x-www-form-urlencoded"), responses={"200": MGMT})
ME = Op("The admin of the token and its organizations", query=AUTH, responses={"200": MGMT})
ADMIN_ORGS = {
    "GET": Op("An admin's organizations (the admin itself)", query=AUTH, responses={"200": MGMT}),
    "POST": Op("A new organization administered by this admin", query=AUTH,
               body=obj(organization=STR, name=STR), responses={"200": MGMT}),
}
ORG_ADMINS = {
    "GET": Op("The organization's admins (org admin)", query=AUTH, responses={"200": MGMT}),
    "POST": Op("Create an admin straight into the organization (org admin)", query=AUTH, body=ADMIN_BODY,
               responses={"200": MGMT}),
}
ORG_ADMIN = {
    "GET": Op("One admin of the organization", query=AUTH, responses={"200": MGMT}),
    "PUT": Op("Add an existing admin (uuid, username or email) to the organization", query=AUTH,
              responses={"200": MGMT}),
    "POST": Op("Add an existing admin to the organization", query=AUTH, responses={"200": MGMT}),
    "DELETE": Op("Remove an admin from the organization (never the last one)", query=AUTH,
                 responses={"200": MGMT}),
}
STATUS = Op("Health check", responses={"200": obj(("status",), status=STR)})

DIALECT = Dialect(
    name="usergrid", prefix="/usergrid", title="Apache Usergrid 2.x",
    description="Usergrid's REST API over the shared core. Authenticate with `Authorization: Bearer <token>` "
                "(or `access_token`); the `sandbox` app is open. Every answer carries `X-Request-Cost`.",
    error=ERROR, headers={"Authorization": STR})
