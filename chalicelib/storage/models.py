"""Every pynamodb model. ALL_MODELS drives table creation (local, tests) and deploy templates.

Table names are set by bootstrap.configure() from settings before first use; the names here
are placeholders. See docs/ARCHITECTURE.md for what each key holds.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model


class EntityModel(Model):
    """One item per entity. pk = "<app uuid>#<entity uuid>"."""

    class Meta:
        table_name = "entities"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    coll = UnicodeAttribute()
    ver = NumberAttribute()
    doc = UnicodeAttribute()  # the JSON document, compact
    pv = UnicodeAttribute()  # JSON {property: version its index entries carry}
    secret = UnicodeAttribute(null=True)  # password hash of app users
    owner = UnicodeAttribute(null=True)  # uuid of the creating app user
    acl = UnicodeAttribute(null=True)  # JSON ACL, when the entity has one
    sh = NumberAttribute(null=True)  # shard count its index entries were written under; absent means 1
    vout = UnicodeSetAttribute(null=True)  # connection verbs it is the source of (Usergrid metadata.connections)
    vin = UnicodeSetAttribute(null=True)  # connection verbs it is the target of (metadata.connecting)


class IndexModel(Model):
    """One item per indexed value. pk = "<app>#<collection>#<index>", sk = value SEP uuid SEP version."""

    class Meta:
        table_name = "index"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    t = NumberAttribute()  # ms written: lets readers tell a write in flight from garbage
    # 1: the entity's ACL lets anyone read it, 0: it does not (REST-key counts filter on it); absent on
    # connections and on entries written before it existed (such a count reads the entities instead)
    r = NumberAttribute(null=True)


class UniqueModel(Model):
    """Claims on unique values (entity names, usernames, emails, org and app names)."""

    class Meta:
        table_name = "unique"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute()
    t = NumberAttribute()


class TenantModel(Model):
    """Organizations, applications and org admins: pk = "org#<uuid>" | "app#<uuid>" | "admin#<uuid>"."""

    class Meta:
        table_name = "tenants"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    doc = UnicodeAttribute()
    ver = NumberAttribute(default=1)


class TokenModel(Model):
    """Access tokens, keyed by the SHA-256 of the token so a leaked table leaks no token."""

    class Meta:
        table_name = "tokens"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    doc = UnicodeAttribute()
    expires = TTLAttribute()


ALL_MODELS: tuple[type[Model], ...] = (EntityModel, IndexModel, UniqueModel, TenantModel, TokenModel)
TABLE_SUFFIXES: dict[type[Model], str] = {
    EntityModel: "entities", IndexModel: "index", UniqueModel: "unique", TenantModel: "tenants", TokenModel: "tokens",
}


# -- Backendless services (issue 4) -------------------------------------------------------------
class CounterModel(Model):
    """Atomic counters: pk = app uuid, sk = counter name, so listing an app's counters is one Query."""

    class Meta:
        table_name = "counters"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    value = NumberAttribute(default=0)


class CacheModel(Model):
    """Cache entries: pk = "<app>#<key>"; `expires` is the TTL attribute (the core checks it too)."""

    class Meta:
        table_name = "cache"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    doc = UnicodeAttribute()
    expires = TTLAttribute()


class MessageModel(Model):
    """Messaging: pk = "<app>#ch#<channel>" (sk = deliver-at ms + id), "<app>#msg#<id>" (status),
    "<app>#sub#<id>" (polling subscriptions). `expires` is the TTL attribute."""

    class Meta:
        table_name = "messages"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = UnicodeAttribute()
    expires = TTLAttribute()


ALL_MODELS += (CounterModel, CacheModel, MessageModel)
TABLE_SUFFIXES.update({CounterModel: "counters", CacheModel: "cache", MessageModel: "messages"})
TTL_ATTRIBUTES: dict[type[Model], str] = {TokenModel: "expires", CacheModel: "expires", MessageModel: "expires"}
