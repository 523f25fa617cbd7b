"""Request bodies: JSON (whatever the content type claims), url-encoded forms and multipart forms.

The seed accepts JSON and `multipart/form-data`. A form field's value is read as JSON when it
parses (`5`, `true`, `{"__type": ...}`) and kept as a string otherwise; parts that carry a
filename are files (media for the object). Any other content type (image/png,
application/octet-stream...) is a file upload: the bytes are returned as one file.
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from ...core import validate
from ...core.errors import MalformedBody

JSON_TYPES = ("application/json", "text/plain", "application/x-www-form-urlencoded", "")
Files = list[tuple[str, str, bytes]]


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_upload(content_type: str) -> bool:
    """True when the body is a file rather than an object (the media/object collision rule)."""
    mt = media_type(content_type)
    return mt not in JSON_TYPES and mt != "multipart/form-data" and not mt.endswith("+json")


def parse_body(raw: bytes, content_type: str) -> tuple[Any, Files]:
    mt = media_type(content_type)
    if mt == "multipart/form-data":
        return _multipart(raw, content_type)
    if is_upload(content_type):
        return None, [("file", mt, raw)] if raw else []
    if not raw.strip():
        return None, []
    try:
        return validate.loads(raw), []
    except validate.TooDeep:
        raise
    except MalformedBody:
        pass
    if mt == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(raw.decode(), keep_blank_values=True, strict_parsing=True)
        except (ValueError, UnicodeDecodeError):
            pairs = None
        if pairs is not None:
            return validate.check({k: _value(v) for k, v in pairs}, "form body"), []
    raise MalformedBody("invalid JSON")


def _value(text: str) -> Any:
    """A form field read as JSON when it parses (checked like any JSON body), else the string."""
    try:
        return validate.loads(text, "a form field")
    except validate.TooDeep:
        raise
    except MalformedBody:
        return text


def _multipart(raw: bytes, content_type: str) -> tuple[Any, Files]:
    msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
    if not msg.is_multipart():
        raise MalformedBody("malformed multipart body")
    fields: dict[str, Any] = {}
    files: Files = []
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):  # None when the part is itself multipart
            raise MalformedBody(f"form part {name or ''} must not be multipart itself")
        filename = part.get_filename()
        if filename:
            files.append((str(filename), part.get_content_type(), payload))
        elif name:
            try:
                fields[str(name)] = _value(payload.decode("utf-8"))
            except UnicodeDecodeError:
                raise MalformedBody(f"form field {name} is not UTF-8") from None
    return validate.check(fields, "form body"), files
