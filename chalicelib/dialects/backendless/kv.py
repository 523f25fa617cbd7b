"""Backendless Atomic Counters and Cache over core/counters.py and core/cache.py."""

from __future__ import annotations

from typing import Any

from chalice import Response

from ...bootstrap import services
from ..http import json_body, raw_body
from . import models
from .common import Ctx, ok, query_param, request, route


# -- counters: each operation is one DynamoDB call -------------------------------------------------
def _c() -> Any:
    return services().counters()


def _may(ctx: Ctx, kind: str, name: str, verb: str) -> None:
    services().require(ctx.app, ctx.principal, kind, name, verb)


def counter_get(ctx: Ctx, name: str) -> Any:
    _may(ctx, "counters", name, "get")
    return ok(_c().get(ctx.app.uuid, name))


def _adder(delta: int | None, after: bool) -> Any:
    def view(ctx: Ctx, name: str) -> Any:
        d = delta if delta is not None else query_param("value")
        if d is None:
            from ...core.errors import InvalidInput

            raise InvalidInput("value is required")
        _may(ctx, "counters", name, "put")
        fn = _c().add_and_get if after else _c().get_and_add
        return ok(fn(ctx.app.uuid, name, d))

    return view


def compare_and_set(ctx: Ctx, name: str) -> Any:
    _may(ctx, "counters", name, "put")
    return ok(_c().compare_and_set(ctx.app.uuid, name, query_param("expected"), query_param("updatedvalue")))


def reset(ctx: Ctx, name: str) -> Any:
    _may(ctx, "counters", name, "put")
    _c().reset(ctx.app.uuid, name)
    return Response(body="", status_code=200)


def listing(ctx: Ctx, name: str) -> Any:
    _may(ctx, "counters", "", "get")
    return ok(_c().names(ctx.app.uuid, name))


route("/counters/{name}", models.COUNTER, GET=counter_get)
route("/counters/{name}/get", models.COUNTER, GET=counter_get)
route("/counters/{name}/list", models.COUNTER_LIST, GET=listing)
route("/counters/{name}/reset", models.COUNTER_RESET, PUT=reset, POST=reset)
route("/counters/{name}/increment/get", models.COUNTER_ADD, PUT=_adder(1, True))
route("/counters/{name}/decrement/get", models.COUNTER_ADD, PUT=_adder(-1, True))
route("/counters/{name}/incrementby/get", models.COUNTER_ADD, PUT=_adder(None, True))
route("/counters/{name}/get/increment", models.COUNTER_ADD, PUT=_adder(1, False))
route("/counters/{name}/get/decrement", models.COUNTER_ADD, PUT=_adder(-1, False))
route("/counters/{name}/get/incrementby", models.COUNTER_ADD, PUT=_adder(None, False))
route("/counters/{name}/get/compareandset", models.COMPARE_AND_SET, PUT=compare_and_set)


# -- cache -----------------------------------------------------------------------------------------
def _k() -> Any:
    return services().cache()


def cache_item(ctx: Ctx, key: str) -> Any:
    method = request().method
    _may(ctx, "cache", key, {"GET": "get", "DELETE": "delete"}.get(method, "put"))
    if method == "GET":
        return ok(_k().get(ctx.app.uuid, key))
    if method == "DELETE":
        _k().delete(ctx.app.uuid, key)
        return Response(body="", status_code=200)
    if not raw_body(request()).strip():
        from ...core.errors import InvalidInput

        raise InvalidInput("a JSON value is required")
    _k().put(ctx.app.uuid, key, json_body(request()), query_param("timeout"))
    return Response(body="", status_code=200)


def cache_check(ctx: Ctx, key: str) -> Any:
    _may(ctx, "cache", key, "get")
    return ok(_k().contains(ctx.app.uuid, key))


def expire_in(ctx: Ctx, key: str) -> Any:
    _may(ctx, "cache", key, "put")
    _k().expire_in(ctx.app.uuid, key, query_param("timeout"))
    return Response(body="", status_code=200)


def expire_at(ctx: Ctx, key: str) -> Any:
    _may(ctx, "cache", key, "put")
    _k().expire_at(ctx.app.uuid, key, query_param("timestamp"))
    return Response(body="", status_code=200)


route("/cache/{key}", models.CACHE, GET=cache_item, PUT=cache_item, POST=cache_item, DELETE=cache_item)
route("/cache/{key}/check", models.CACHE_CHECK, GET=cache_check)
route("/cache/{key}/expireIn", models.EXPIRE_IN, PUT=expire_in, POST=expire_in)
route("/cache/{key}/expireAt", models.EXPIRE_AT, PUT=expire_at, POST=expire_at)
