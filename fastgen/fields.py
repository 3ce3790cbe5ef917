"""Field specs of `fastgen generate resource`: `name:type[:arg][:unique][?][=default]`.

`parse_fields` turns specs into `FieldSpec`s, checking each against its type's entry
in the registry (`fastgen._fieldtypes`); `FieldSpec.spec` writes one back, so a
project's record can replay it.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, replace

from fastgen._fieldtypes import (
    DEFAULT_STR_LENGTH,
    INT32_MAX,
    INT32_MIN,
    TYPES,
    ArgumentError,
    FieldType,
)
from fastgen.errors import FastgenError

MAX_NAME_LENGTH = 30  # generated names and lines stay within 88 columns
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
    "field": "the in-process models use dataclasses' field",
    "self": "models take their fields as keyword arguments of __init__(self, ...)",
    **dict.fromkeys(PYDANTIC_METHODS, "Pydantic models have a method of that name"),
}
SYNTAX = "name:type[:arg][:unique][?][=default]"
EXAMPLES = (
    "title:str:120:unique, total:decimal:10,2, 'note:text?', paid:bool=false, "
    "'status:enum:draft|published', customer_id:ref:customers"
)


class InvalidFieldError(FastgenError, ValueError):
    """A field spec that fastgen cannot turn into a column and a schema field."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of a resource, as the user described it."""

    name: str
    kind: str  # a key of the registry
    optional: bool = False
    unique: bool = False
    default: str | None = None  # the default exactly as given
    length: int = DEFAULT_STR_LENGTH  # str
    minimum: int = INT32_MIN  # int
    maximum: int = INT32_MAX  # int
    precision: int = 12  # decimal
    scale: int = 2  # decimal
    choices: tuple[str, ...] = ()  # enum
    target: str = ""  # ref: the table of the resource referred to

    @property
    def type(self) -> FieldType:
        return TYPES[self.kind]

    @property
    def spec(self) -> str:
        """The spec that parses back into this field, in its plainest form."""
        return (
            f"{self.name}:{self.kind}{self._argument}"
            + (":unique" if self.unique else "")
            + ("?" if self.optional else "")
            + (f"={self.default}" if self.default is not None else "")
        )

    @property
    def _argument(self) -> str:
        match self.kind:
            case "str" if self.length != DEFAULT_STR_LENGTH:
                return f":{self.length}"
            case "int" if (self.minimum, self.maximum) != (INT32_MIN, INT32_MAX):
                low = "" if self.minimum == INT32_MIN else str(self.minimum)
                high = "" if self.maximum == INT32_MAX else str(self.maximum)
                return f":{low}..{high}"
            case "decimal":
                return f":{self.precision},{self.scale}"
            case "enum":
                return ":" + "|".join(self.choices)
            case "ref":
                return f":{self.target}"
        return ""


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
    kind, *arguments = rest or ["str"]
    if kind not in TYPES:
        raise _invalid(spec, f"unknown type {kind!r}", hint=f"types: {', '.join(TYPES)}")
    field = FieldSpec(name=name, kind=kind, optional=optional, unique=unique)
    try:
        field = _with_argument(field, ":".join(arguments))
        field = _with_default(field, default if has_default else None)
    except ArgumentError as error:
        raise _invalid(spec, str(error)) from None
    if unique and (refusal := field.type.check_unique(field)):
        raise _invalid(spec, refusal)
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


def _with_argument(field: FieldSpec, argument: str) -> FieldSpec:
    parse = field.type.parse_argument
    if field.kind == "ref" and not argument:
        raise ArgumentError("ref needs the referenced table, e.g. customer_id:ref:customers")
    if not argument:
        return field
    if parse is None:
        raise ArgumentError(f"type {field.kind!r} takes no argument {argument!r}")
    return parse(field, argument)


def _with_default(field: FieldSpec, default: str | None) -> FieldSpec:
    if default is None:
        return field
    parse = field.type.parse_default
    if parse is None:
        with_defaults = [name for name, kind in TYPES.items() if kind.parse_default]
        raise ArgumentError(
            f"{field.type.article} field cannot have a default "
            f"(defaults are for {', '.join(with_defaults)})"
        )
    if field.unique:
        raise ArgumentError("a unique field cannot have a default: every row would share it")
    parse(field, default)
    return replace(field, default=default)


def default_source(field: FieldSpec) -> str:
    """The field's default as Python source, or '' when it has none."""
    parse = field.type.parse_default
    if field.default is None or parse is None:
        return ""
    return parse(field, field.default)


def _invalid(spec: str, reason: str, *, hint: str = "") -> InvalidFieldError:
    return InvalidFieldError(
        f"invalid field {spec!r}: {reason}", hint=hint or f"{SYNTAX}, e.g. {EXAMPLES}"
    )
