"""Field specs of `fastgen generate resource`: `name:type[:arg][:unique][?][=default]`.

`parse_field` turns one spec into a `FieldSpec`; the code each layer needs for it (model
column, migration column, schema type, test values) is derived from it in `_columns`.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from fastgen.errors import FastgenError

TYPES = ("str", "text", "int", "float", "decimal", "bool", "date", "datetime", "uuid", "json")
REFERENCE = "ref"
MAX_NAME_LENGTH = 30  # generated names and lines stay within 88 columns
DEFAULT_STR_LENGTH = 255
MAX_STR_LENGTH = 4000  # longer strings belong in `text`: MySQL caps a row at 64 KiB
DEFAULT_PRECISION, DEFAULT_SCALE = 12, 2
MAX_PRECISION = 38  # the smallest cap of the supported databases' NUMERIC (SQL Server's)

_HAS_DEFAULT = ("str", "text", "int", "float", "decimal", "bool", "date")
_CANNOT_BE_UNIQUE = ("text", "json", "bool")
_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
# Methods of Pydantic's BaseModel: a field of that name would shadow one (a warning).
PYDANTIC_METHODS = frozenset(
    {
        "construct", "copy", "dict", "from_orm", "json", "parse_file", "parse_obj",
        "parse_raw", "schema", "schema_json", "update_forward_refs", "validate",
    }
)  # fmt: skip
_RESERVED = {
    "id": "every resource already has an 'id' primary key",
    "metadata": "SQLAlchemy models reserve it",
    "registry": "SQLAlchemy models reserve it",
    # Names the generated modules import, which a field would hide in the class body.
    "dt": "the generated modules import datetime as dt",
    "mapped_column": "the generated models use SQLAlchemy's mapped_column",
    "field_validator": "the generated schemas use Pydantic's field_validator",
    "self": "models take their fields as keyword arguments of __init__(self, ...)",
    **dict.fromkeys(PYDANTIC_METHODS, "Pydantic models have a method of that name"),
}
SYNTAX = "name:type[:arg][:unique][?][=default]"
EXAMPLES = (
    "title:str:120:unique, total:decimal:10,2, note:text?, paid:bool=false, "
    "customer_id:ref:customers"
)


class InvalidFieldError(FastgenError, ValueError):
    """A field spec that fastgen cannot turn into a column and a schema field."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of a resource, as the user described it."""

    name: str
    kind: str  # one of TYPES, or REFERENCE
    optional: bool = False
    unique: bool = False
    default: str | None = None  # the default exactly as given; validated for `kind`
    length: int = DEFAULT_STR_LENGTH  # str only
    precision: int = DEFAULT_PRECISION  # decimal only
    scale: int = DEFAULT_SCALE  # decimal only
    target: str = ""  # ref only: the table (plural name) of the referenced resource


def parse_fields(specs: list[str]) -> tuple[FieldSpec, ...]:
    """Parse every spec; a name given twice is an error."""
    fields = tuple(parse_field(spec) for spec in specs)
    seen: set[str] = set()
    for field in fields:
        if field.name in seen:
            raise InvalidFieldError(f"field {field.name!r} is given twice")
        seen.add(field.name)
    return fields


def parse_field(spec: str) -> FieldSpec:
    """Return `spec` as a FieldSpec, or raise InvalidFieldError saying what is wrong."""
    head, has_default, default = spec.partition("=")
    optional = head.endswith("?")
    name, *rest = head.removesuffix("?").split(":")
    _check_name(spec, name)
    unique = bool(rest) and rest[-1] == "unique"
    if unique:
        rest.pop()
    kind, *args = rest or ["str"]
    if kind not in (*TYPES, REFERENCE):
        raise _invalid(spec, f"unknown type {kind!r}", hint=f"valid types: {', '.join(TYPES)}, ref")
    field = FieldSpec(
        name=name,
        kind=kind,
        optional=optional,
        unique=unique,
        default=default if has_default else None,
    )
    field = _with_arguments(spec, field, args)
    _check_modifiers(spec, field)
    return field


def _check_name(spec: str, name: str) -> None:
    if not _NAME.fullmatch(name):
        raise _invalid(
            spec,
            f"field name {name!r} is not snake_case",
            hint="lower-case letters, digits and '_', starting with a letter",
        )
    if len(name) > MAX_NAME_LENGTH:
        raise _invalid(spec, f"field name {name!r} is longer than {MAX_NAME_LENGTH} characters")
    if keyword.iskeyword(name):
        raise _invalid(spec, f"{name!r} is a Python keyword and cannot name an attribute")
    if name in _RESERVED:
        raise _invalid(spec, f"{name!r} is reserved: {_RESERVED[name]}")
    if name.startswith("model_"):
        raise _invalid(spec, f"{name!r} starts with 'model_', which Pydantic reserves")


def _with_arguments(spec: str, field: FieldSpec, args: list[str]) -> FieldSpec:
    """Apply what follows the type: a length for str, precision,scale for decimal, a table."""
    if field.kind == "str" and args:
        return replace(field, length=_bounded_int(spec, args, "length", 1, MAX_STR_LENGTH))
    if field.kind == "decimal" and args:
        precision, _, scale = args[0].partition(",")
        digits = _bounded_int(spec, [precision, *args[1:]], "precision", 1, MAX_PRECISION)
        places = _bounded_int(spec, [scale], "scale", 0, digits) if scale else DEFAULT_SCALE
        return replace(field, precision=digits, scale=min(places, digits))
    if field.kind == REFERENCE:
        if len(args) != 1 or not _NAME.fullmatch(args[0]):
            raise _invalid(
                spec, "ref needs the referenced table", hint="e.g. customer_id:ref:customers"
            )
        return replace(field, target=args[0])
    if args:
        raise _invalid(spec, f"type {field.kind!r} takes no argument {':'.join(args)!r}")
    return field


def _bounded_int(spec: str, args: list[str], what: str, low: int, high: int) -> int:
    if len(args) != 1 or not args[0].isdigit() or not low <= int(args[0]) <= high:
        raise _invalid(spec, f"the {what} must be a whole number from {low} to {high}")
    return int(args[0])


def _check_modifiers(spec: str, field: FieldSpec) -> None:
    if field.unique and field.kind in _CANNOT_BE_UNIQUE:
        raise _invalid(spec, f"a {field.kind} field cannot be unique")
    if field.default is None:
        return
    if field.kind not in _HAS_DEFAULT:
        raise _invalid(
            spec,
            f"a {field.kind} field cannot have a default",
            hint=f"defaults are for {', '.join(_HAS_DEFAULT)}",
        )
    if field.unique:
        raise _invalid(spec, "a unique field cannot have a default: every row would share it")
    problem = _default_problem(field)
    if problem:
        raise _invalid(spec, problem)


def _default_problem(field: FieldSpec) -> str:
    value = field.default or ""
    match field.kind:
        case "str":
            if not value.strip():
                return "a str default cannot be blank (use text for that)"
            if len(value) > field.length:
                return f"the default is longer than {field.length} characters"
        case "int" if not re.fullmatch(r"-?\d+", value):
            return f"{value!r} is not a whole number"
        case "float" if not re.fullmatch(r"-?\d+(\.\d+)?", value):
            return f"{value!r} is not a number like 1.5"
        case "decimal":
            return _decimal_problem(value, field.precision, field.scale)
        case "bool" if value not in ("true", "false"):
            return f"{value!r} is not true or false"
        case "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                return f"{value!r} is not a date like 2026-01-31"
    return ""


def _decimal_problem(value: str, precision: int, scale: int) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return f"{value!r} is not a number like 9.99"
    if not number.is_finite():
        return f"{value!r} is not a finite number"
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    whole_digits = len(number.as_tuple().digits) - places
    if places > scale or whole_digits > precision - scale:
        return f"{value!r} does not fit decimal:{precision},{scale}"
    return ""


def _invalid(spec: str, reason: str, *, hint: str = "") -> InvalidFieldError:
    return InvalidFieldError(
        f"invalid field {spec!r}: {reason}", hint=hint or f"{SYNTAX}, e.g. {EXAMPLES}"
    )
