"""The built-in classes `_config`, `_locale` and `_emails` (seed 003).

Their CRUD and query routes are the object routes (collections `bea-configs`, `bea-locales`,
`bea-emails`). Two actions are their own:

- `POST /1/_locale/addLang {"lang": "fr"}`: a `_locale` object is one key with one field per
  language (`{"key": "hello", "en": "Hello", "fr": "Bonjour"}`); adding a language adds the field,
  empty, to every key that lacks it, so translators see what is missing (`137` when every key
  already has it). Answers `{"lang", "updated": n}`.
- `POST /1/_emails/send {"emailId", "to", "subject"?, "body"?}`: sends the stored email
  (`subject`, `body`, optional `html`) through SES, with `subject`/`body` overriding the stored
  ones. Answers `{"messageId"}`.
"""

from __future__ import annotations

import re
from typing import Any

from ...bootstrap import services
from ...core.errors import EntityNotFound, InvalidInput
from ...core.ids import is_uuid
from ..parselike import errors
from ..parselike.errors import ParseStyleError
from .common import Ctx, Out, Req, router
from .objects import collect

LANG_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
MAX_KEYS = 1000


@router
def builtin_route(ctx: Ctx, req: Req) -> Out | None:
    if req.method != "POST" or len(req.parts) != 2:
        return None
    if req.parts == ["_locale", "addLang"]:
        return add_lang(ctx, req.body)
    if req.parts == ["_emails", "send"]:
        return send_email(ctx, req.body)
    return None


def add_lang(ctx: Ctx, body: Any) -> Out:
    lang = body.get("lang") if isinstance(body, dict) else None
    if not isinstance(lang, str) or not LANG_RE.match(lang):
        raise ParseStyleError(errors.INVALID_KEY_NAME, "lang must be a language code such as \"fr\" or \"pt_BR\"")
    recs, _ = collect(ctx, "bea-locales", None, [("created", False)], MAX_KEYS)
    missing = [r for r in recs if lang not in r.doc]
    if recs and not missing:
        raise ParseStyleError(errors.DUPLICATE_VALUE, f"language {lang} already exists")

    def add(doc: dict[str, Any]) -> dict[str, Any]:
        return doc if lang in doc else {**doc, lang: ""}

    for r in missing:
        ctx.data.update_record("bea-locales", r.uuid, {}, mutate=add)
    return Out(200, {"lang": lang, "updated": len(missing)})


def send_email(ctx: Ctx, body: Any) -> Out:
    if not isinstance(body, dict):
        raise ParseStyleError(errors.INVALID_JSON, "the body must be a JSON object")
    eid, to = body.get("emailId"), body.get("to")
    if not isinstance(eid, str) or not eid:
        raise ParseStyleError(errors.MISSING_OBJECT_ID, "emailId is required")
    if not to:
        raise ParseStyleError(errors.EMAIL_MISSING, "to is required")
    if not is_uuid(eid):
        raise EntityNotFound("Object not found.")
    stored = ctx.data.record("bea-emails", eid).doc
    subject = body.get("subject", stored.get("subject"))
    text = body.get("body", stored.get("body"))
    html = stored.get("html") if "body" not in body else None
    if not isinstance(subject, str) or not subject:
        raise ParseStyleError(errors.INCORRECT_TYPE, "the email has no subject")
    if text is None and html is None:
        raise ParseStyleError(errors.INCORRECT_TYPE, "the email has no body")
    try:
        mid = services().send_email(ctx.app, ctx.principal, to, subject, text, html)
    except InvalidInput:
        raise ParseStyleError(errors.INVALID_EMAIL, "to must be an email address or a list of them") from None
    return Out(200, {"messageId": mid})
