"""Typed, versioned entity schemas (Lightblue metadata) and validation of documents against them.

Pure: parses a metadata document (`entityInfo` + `schema`) into `Schema` and checks a JSON document
against it, returning every failed constraint with Lightblue's error code (`crud:Required`,
`crud:TooShort`...) and the dotted path of the field. Storage and caching live in core/metadata.py.
Fields not declared in the schema are accepted untouched: the core stays schemaless underneath.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput, InvalidQuery
from .saferegex import SafeRegex, compile_safe
from .validate import is_index

TYPES = ("boolean", "integer", "string", "double", "biginteger", "bigdecimal", "date", "binary", "uid",
         "object", "array", "any", "reference")
STATUSES = ("active", "deprecated", "disabled")
OPERATIONS = ("insert", "find", "update", "delete")
ANYONE = "anyone"
# Fields the server fills: the document's identity and its entity name. Every Lightblue schema
# declares them (`objectType` even as required), yet no Lightblue client sends them on insert.
PREDEFINED = ("_id", "objectType")
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


@dataclass(frozen=True)
class FieldError:
    """One failed constraint: Lightblue's `errorCode`, the field path and a message."""

    code: str
    field: str
    msg: str


@dataclass
class FieldSpec:
    type: str
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_items: int | None = None
    max_items: int | None = None
    matches: SafeRegex | None = None  # anchored: the whole value must match
    pattern: str | None = None
    enum: tuple[Any, ...] | None = None
    fields: dict[str, FieldSpec] = field(default_factory=dict)  # type object
    items: FieldSpec | None = None  # type array
    access: dict[str, tuple[str, ...]] = field(default_factory=dict)  # find/insert/update -> roles


@dataclass
class Schema:
    """One version of an entity's schema."""

    entity: str
    version: str
    status: str
    fields: dict[str, FieldSpec]
    access: dict[str, tuple[str, ...]]

    def allows(self, operation: str, roles: set[str] | None) -> bool:
        """`roles` None means a superuser (app credentials, org admin)."""
        allowed = self.access.get(operation, (ANYONE,))
        return roles is None or ANYONE in allowed or bool(roles & set(allowed))

    def field_type(self, path: str) -> str | None:
        spec: FieldSpec | None = None
        specs = self.fields
        for part in path.split("."):
            if part == "*" or is_index(part):
                items = spec.items if spec is not None else None
                if items is None:
                    return None
                spec, specs = items, items.fields
                continue
            spec = specs.get(part)
            if spec is None:
                return None
            specs = spec.fields
        return spec.type if spec else None

    def hidden_fields(self, operation: str, roles: set[str] | None) -> list[str]:
        """Top-level-and-nested paths whose `access` denies `operation` to these roles."""
        out: list[str] = []
        _walk_access(self.fields, "", operation, roles, out)
        return out

    def validate(self, doc: dict[str, Any]) -> list[FieldError]:
        errors: list[FieldError] = []
        _check_object({k: v for k, v in self.fields.items() if k not in PREDEFINED or k in doc}, doc, "", errors)
        return errors

    def role_paths(self) -> dict[str, dict[str, list[str]]]:
        """role -> operation -> paths it opens (`GET /metadata/roles`): the entity name for entity-level
        access, `<entity>.<field>` for field-level access, as lightblue-rest lists them."""
        out: dict[str, dict[str, list[str]]] = {}
        for op, roles in self.access.items():
            for role in roles:
                out.setdefault(role, {}).setdefault(op, []).append(self.entity)
        _field_roles(self.fields, self.entity + ".", out)
        return out

    def fill_uids(self, doc: dict[str, Any], new_id: Callable[[], str]) -> dict[str, Any]:
        """Lightblue generates a value for every missing `uid` field on insert (its UIDInterceptor),
        inside nested objects and arrays of objects too; `doc` is changed in place and returned.
        `_id` is left alone: a document's identity is its entity uuid, which only storage assigns."""
        _fill_uids({k: v for k, v in self.fields.items() if k not in PREDEFINED}, doc, new_id)
        return doc


def _fill_uids(specs: dict[str, FieldSpec], doc: dict[str, Any], new_id: Callable[[], str]) -> None:
    for name, spec in specs.items():
        v = doc.get(name)
        if spec.type == "uid" and v is None:
            doc[name] = new_id()
        elif isinstance(v, dict):
            _fill_uids(spec.fields, v, new_id)
        elif isinstance(v, list) and spec.items is not None:
            for item in v:
                if isinstance(item, dict):
                    _fill_uids(spec.items.fields, item, new_id)


def _field_roles(specs: dict[str, FieldSpec], prefix: str, out: dict[str, dict[str, list[str]]]) -> None:
    for name, spec in specs.items():
        for op, roles in spec.access.items():
            for role in roles:
                out.setdefault(role, {}).setdefault(op, []).append(prefix + name)
        _field_roles(spec.fields, f"{prefix}{name}.", out)
        if spec.items is not None:
            _field_roles(spec.items.fields, f"{prefix}{name}.*.", out)


def _walk_access(specs: dict[str, FieldSpec], prefix: str, op: str, roles: set[str] | None, out: list[str]) -> None:
    for name, spec in specs.items():
        path = prefix + name
        allowed = spec.access.get(op)
        if allowed is not None and roles is not None and ANYONE not in allowed and not roles & set(allowed):
            out.append(path)
            continue
        _walk_access(spec.fields, path + ".", op, roles, out)
        if spec.items is not None:
            _walk_access(spec.items.fields, path + ".*.", op, roles, out)


# -- parsing ---------------------------------------------------------------------------------
def parse_schema(entity: str, schema: Any, enums: dict[str, tuple[Any, ...]]) -> Schema:
    """The `schema` section of a metadata document; raises InvalidInput (metadata:*) when ill-formed."""
    if not isinstance(schema, dict):
        raise InvalidInput("schema must be an object", code="metadata:IllFormedMetadata")
    version = schema.get("version")
    value = version.get("value") if isinstance(version, dict) else version
    if not isinstance(value, str) or not _VERSION_RE.match(value):
        raise InvalidInput("schema.version.value is required", code="metadata:InvalidVersion")
    status = schema.get("status", {"value": "active"})
    status_value = status.get("value") if isinstance(status, dict) else status
    if status_value not in STATUSES:
        raise InvalidInput(f"invalid status {status_value!r}", code="metadata:ParseInvalidStatus")
    fields = schema.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise InvalidInput("schema.fields must be a non-empty object", code="metadata:MetadataWithNoFields")
    return Schema(entity, value, status_value, _parse_fields(fields, "", enums),
                  _parse_access(schema.get("access"), OPERATIONS))


def check_entity_info(info: dict[str, Any]) -> None:
    """The parts of entityInfo the server acts on must have their documented shape (a 400, not a 500);
    the rest (`datastore` and whatever a backend would read) is kept as given."""
    dv = info.get("defaultVersion")
    if dv is not None and not isinstance(dv, str):
        raise InvalidInput("entityInfo.defaultVersion must be a version string", code="metadata:IllFormedMetadata")
    indexes = info.get("indexes")
    if indexes is None:
        return
    if not isinstance(indexes, list):
        raise InvalidInput("entityInfo.indexes must be an array", code="metadata:IllFormedMetadata")
    for ix in indexes:
        fields = ix.get("fields") if isinstance(ix, dict) else None
        if not isinstance(fields, list) or not fields or not all(
                isinstance(f, str) or (isinstance(f, dict) and isinstance(f.get("field"), str)) for f in fields):
            raise InvalidInput("each index needs fields: [{field, dir}] or field names", code="metadata:IllFormedMetadata")
        if "unique" in ix and not isinstance(ix["unique"], bool):
            raise InvalidInput("an index's unique is a boolean", code="metadata:IllFormedMetadata")


def parse_enums(entity_info: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    out: dict[str, tuple[Any, ...]] = {}
    enums = entity_info.get("enums") or []
    if not isinstance(enums, list):
        raise InvalidInput("entityInfo.enums must be an array", code="metadata:InvalidEnum")
    for e in enums:
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not isinstance(e.get("values"), list):
            raise InvalidInput("each enum needs a name and a values array", code="metadata:InvalidEnum")
        out[e["name"]] = tuple(v.get("name") if isinstance(v, dict) else v for v in e["values"])
    return out


def _parse_fields(fields: dict[str, Any], prefix: str, enums: dict[str, tuple[Any, ...]]) -> dict[str, FieldSpec]:
    out = {}
    for name, raw in fields.items():
        if not isinstance(name, str) or not name or "." in name:
            raise InvalidInput(f"invalid field name {prefix}{name!r}", code="metadata:InvalidFieldReference")
        out[name] = _parse_field(raw, prefix + name, enums)
    return out


def _parse_field(raw: Any, path: str, enums: dict[str, tuple[Any, ...]]) -> FieldSpec:
    if not isinstance(raw, dict) or raw.get("type") not in TYPES:
        raise InvalidInput(f"field {path} needs a type, one of {', '.join(TYPES)}", code="metadata:InvalidType")
    c = dict(raw.get("constraints") or {})
    if not isinstance(c, dict):
        raise InvalidInput(f"constraints of {path} must be an object", code="metadata:InvalidConstraint")
    for key in ("required", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "matches", "enum"):
        if key in raw and key not in c:
            c[key] = raw[key]  # accepted beside `constraints` too
    spec = FieldSpec(raw["type"], required=c.get("required") is True, access=_parse_access(raw.get("access"),
                                                                                            ("find", "insert", "update")))
    for key, attr in (("minLength", "min_length"), ("maxLength", "max_length"), ("minItems", "min_items"),
                      ("maxItems", "max_items")):
        if key in c:
            if not isinstance(c[key], int) or isinstance(c[key], bool) or c[key] < 0:
                raise InvalidInput(f"{key} of {path} must be a non-negative integer", code="metadata:InvalidConstraint")
            setattr(spec, attr, c[key])
    for key in ("minimum", "maximum"):
        if key in c:
            if not _is_number(c[key]):
                raise InvalidInput(f"{key} of {path} must be a number", code="metadata:InvalidConstraint")
            setattr(spec, key, c[key])
    if "matches" in c:
        if not isinstance(c["matches"], str):
            raise InvalidInput(f"matches of {path} must be a regular expression", code="metadata:InvalidConstraint")
        spec.pattern = c["matches"]
        spec.matches = compile_bounded(r"\A(?:" + c["matches"] + r")\Z", 0, "metadata:InvalidConstraint")
    if "enum" in c:
        ref = c["enum"]
        values = tuple(ref) if isinstance(ref, list) else enums.get(ref) if isinstance(ref, str) else None
        if values is None:
            raise InvalidInput(f"enum {ref!r} of {path} is not defined in entityInfo.enums", code="metadata:InvalidEnum")
        spec.enum = values
    if spec.type == "object":
        spec.fields = _parse_fields(raw.get("fields") or {}, path + ".", enums)
    if spec.type == "array":
        items = raw.get("items") or {"type": "any"}
        spec.items = _parse_field(items, path + ".*", enums)
    return spec


def _parse_access(raw: Any, ops: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput("access must be an object of role arrays", code="metadata:IllFormedMetadata")
    out = {}
    for op, roles in raw.items():
        if op not in ops or not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidInput(f"access.{op} must be an array of role names", code="metadata:IllFormedMetadata")
        out[op] = tuple(roles)
    return out


def compile_bounded(pattern: str, flags: int, code: str) -> SafeRegex:
    """Client regexes run on the linear-time engine (core/saferegex.py): they cannot stall a write."""
    try:
        return compile_safe(pattern, flags)
    except InvalidQuery as e:
        raise InvalidInput(e.message, code=code) from None


# -- validation ------------------------------------------------------------------------------
def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _type_ok(t: str, v: Any) -> bool:
    if t in ("any", "reference"):
        return True
    if t == "boolean":
        return isinstance(v, bool)
    if t == "integer":
        return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    if t == "double":
        return _is_number(v)
    if t in ("biginteger", "bigdecimal"):
        return _is_number(v) or (isinstance(v, str) and bool(re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", v)))
    if t in ("string", "date", "binary", "uid"):
        return isinstance(v, str)
    if t == "object":
        return isinstance(v, dict)
    if t == "array":
        return isinstance(v, list)
    return False


def _check_object(specs: dict[str, FieldSpec], doc: dict[str, Any], prefix: str, errors: list[FieldError]) -> None:
    for name, spec in specs.items():
        path = prefix + name
        if name not in doc or doc[name] is None:
            if spec.required:
                errors.append(FieldError("crud:Required", path, f"{path} is required"))
            continue
        _check_value(spec, doc[name], path, errors)


def _check_value(spec: FieldSpec, v: Any, path: str, errors: list[FieldError]) -> None:
    if not _type_ok(spec.type, v):
        errors.append(FieldError("metadata:IncompatibleValue", path, f"{path} must be of type {spec.type}"))
        return
    if isinstance(v, str):
        if spec.min_length is not None and len(v) < spec.min_length:
            errors.append(FieldError("crud:TooShort", path, f"{path} is shorter than {spec.min_length}"))
        if spec.max_length is not None and len(v) > spec.max_length:
            errors.append(FieldError("crud:TooLong", path, f"{path} is longer than {spec.max_length}"))
        if spec.matches is not None and not spec.matches.search(v):
            errors.append(FieldError("crud:DoesNotMatch", path, f"{path} does not match {spec.pattern}"))
    if _is_number(v):
        if spec.minimum is not None and v < spec.minimum:
            errors.append(FieldError("crud:ValueTooSmall", path, f"{path} is smaller than {spec.minimum}"))
        if spec.maximum is not None and v > spec.maximum:
            errors.append(FieldError("crud:ValueTooLarge", path, f"{path} is larger than {spec.maximum}"))
    if spec.enum is not None and v not in spec.enum:
        errors.append(FieldError("crud:InvalidEnum", path, f"{path} must be one of {list(spec.enum)}"))
    if isinstance(v, dict) and spec.fields:
        _check_object(spec.fields, v, path + ".", errors)
    if isinstance(v, list):
        if spec.min_items is not None and len(v) < spec.min_items:
            errors.append(FieldError("crud:ArrayTooSmall", path, f"{path} has fewer than {spec.min_items} items"))
        if spec.max_items is not None and len(v) > spec.max_items:
            errors.append(FieldError("crud:ArrayTooLarge", path, f"{path} has more than {spec.max_items} items"))
        if spec.items is not None:
            for i, item in enumerate(v):
                if item is not None:
                    _check_value(spec.items, item, f"{path}.{i}", errors)


def coerce(type_: str | None, value: Any) -> Any:
    """A query value written as a string (simple find) in the field's declared type, when it parses."""
    if not isinstance(value, str) or type_ is None:
        return value
    try:
        if type_ == "integer":
            return int(value)
        if type_ == "double":
            return float(value)
    except ValueError:
        return value
    if type_ == "boolean" and value in ("true", "false"):
        return value == "true"
    return value
