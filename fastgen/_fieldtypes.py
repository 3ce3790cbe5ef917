"""Every field type of `fastgen generate resource`: one entry each, holding all a layer needs.

An entry says what a field of the type is in Python, which column stores it, which
constraint the schemas put on input (a marker of the generated `app/core/types.py`),
what a spec may add after the type, whether the field can be unique or have a
default, and the values the generated tests use. Adding a type is adding an entry.
The templates own the syntax; an entry holds names and values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastgen.fields import FieldSpec

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
TEXT_MAX_LENGTH = 65_535  # what every database stores as `text` (MySQL as MEDIUMTEXT)
MAX_STR_LENGTH = 4000  # longer belongs in `text`: MySQL caps a row at 64 KiB
MAX_UNIQUE_STR_LENGTH = 600  # a unique index holds 2,400 bytes of UTF-8 on every database
DEFAULT_STR_LENGTH = 255
MAX_PRECISION = 38  # NUMERIC's smallest cap among the supported databases
MIN_UNIQUE_RANGE = 100  # the tests need that many distinct values of a unique int


class ArgumentError(ValueError):
    """What follows a type, or a default, does not fit the type; the message says why."""


@dataclass(frozen=True)
class Import:
    """`from module import name`, or `import module as alias` when `name` is empty."""

    module: str
    name: str = ""
    alias: str = ""

    @property
    def statement(self) -> str:
        if self.name:
            return f"from {self.module} import {self.name}"
        return f"import {self.module}" + (f" as {self.alias}" if self.alias else "")


@dataclass(frozen=True)
class Expr:
    """A name in generated code, called with `args` (Python values) unless they are None."""

    name: str
    module: str = ""  # where `name` is imported from; empty for builtins
    args: tuple[object, ...] | None = ()
    kwargs: tuple[tuple[str, object], ...] = ()

    @property
    def imports(self) -> tuple[Import, ...]:
        return (Import(self.module, self.name),) if self.module else ()


_SA = "sqlalchemy"
_DB_TYPES = "app.db.types"
_API_TYPES = "app.core.types"
_DATETIME = Import("datetime", alias="dt")


@dataclass(frozen=True, kw_only=True)
class FieldType:
    """One kind of field, from the spec's word for it to the values its tests use."""

    name: str
    summary: str  # for help texts
    python: str  # the attribute's type on the model and in the Read schema
    python_imports: tuple[Import, ...] = ()
    column: Callable[[FieldSpec], Expr]  # the SQLAlchemy column type
    marker: Callable[[FieldSpec], Expr]  # the input constraint, from app.core.types
    sample: Callable[[FieldSpec], str]  # Python source of a valid value for row `number`
    sample_imports: tuple[Import, ...] = ()
    changed: Callable[[FieldSpec], str]  # a JSON value (as Python) unlike every sample
    parse_argument: Callable[[FieldSpec, str], FieldSpec] | None = None
    parse_default: Callable[[FieldSpec, str], str] | None = None  # -> Python source
    can_be_unique: bool = True
    unique_refusal: str = ""  # why it cannot be unique, where it cannot
    # Values that differ only in case or accents, all to be kept apart when unique.
    look_alikes: Callable[[FieldSpec], tuple[str, ...]] | None = None
    # Valid values at the edges of what is accepted, each stored and returned as given.
    edges: tuple[str, ...] = ()  # Python source of JSON values
    # JSON values (as Python source) of the right type that must still be refused.
    refused: Callable[[FieldSpec], tuple[str, ...]] = lambda _spec: ()

    @property
    def article(self) -> str:
        """`a str`, `an int`: the type's name after its article."""
        return f"{'an' if self.name[0] in 'aeio' else 'a'} {self.name}"

    def check_unique(self, spec: FieldSpec) -> str:
        """Why `spec` cannot be unique, or ''."""
        if not self.can_be_unique:
            return self.unique_refusal or f"{self.article} field cannot be unique"
        if self.name == "str" and spec.length > MAX_UNIQUE_STR_LENGTH:
            return f"a unique str holds at most {MAX_UNIQUE_STR_LENGTH} characters"
        if self.name == "int" and spec.maximum - spec.minimum + 1 < MIN_UNIQUE_RANGE:
            return f"a unique int needs a range of at least {MIN_UNIQUE_RANGE} values"
        return ""


def _constant_tuple(*sources: str) -> Callable[[FieldSpec], tuple[str, ...]]:
    return lambda _spec: sources


def _fixed(expr: Expr) -> Callable[[FieldSpec], Expr]:
    return lambda _spec: expr


def _constant(source: str) -> Callable[[FieldSpec], str]:
    return lambda _spec: source


# Arguments ----------------------------------------------------------------------------


def _whole_number(text: str, what: str, low: int, high: int) -> int:
    if not re.fullmatch(r"-?\d+", text) or not low <= int(text) <= high:
        raise ArgumentError(f"the {what} must be a whole number from {low} to {high}")
    return int(text)


def _str_length(spec: FieldSpec, argument: str) -> FieldSpec:
    return replace(spec, length=_whole_number(argument, "length", 1, MAX_STR_LENGTH))


def _int_range(spec: FieldSpec, argument: str) -> FieldSpec:
    low, dots, high = argument.partition("..")
    if not dots:
        raise ArgumentError("an int takes a range such as 0..100, 1.. or ..10")
    minimum = _whole_number(low, "minimum", INT32_MIN, INT32_MAX) if low else INT32_MIN
    maximum = _whole_number(high, "maximum", INT32_MIN, INT32_MAX) if high else INT32_MAX
    if minimum >= maximum:
        raise ArgumentError("the range's minimum must be below its maximum")
    return replace(spec, minimum=minimum, maximum=maximum)


def _precision_and_scale(spec: FieldSpec, argument: str) -> FieldSpec:
    precision_text, _, scale_text = argument.partition(",")
    precision = _whole_number(precision_text, "precision", 1, MAX_PRECISION)
    scale = _whole_number(scale_text, "scale", 0, precision - 1) if scale_text else 2
    if scale >= precision:
        raise ArgumentError(f"the scale must be below the precision ({precision})")
    return replace(spec, precision=precision, scale=scale)


_CHOICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,49}")


def _choices(spec: FieldSpec, argument: str) -> FieldSpec:
    choices = tuple(argument.split("|"))
    if len(choices) < 2 or not all(_CHOICE.fullmatch(choice) for choice in choices):
        raise ArgumentError(
            "an enum takes two or more values separated by '|', each letters, digits, "
            "'_', '.' or '-' (at most 50), e.g. enum:draft|published"
        )
    if len(set(choices)) != len(choices):
        raise ArgumentError("an enum's values must differ")
    return replace(spec, choices=choices)


def _table(spec: FieldSpec, argument: str) -> FieldSpec:
    if not re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*", argument):
        raise ArgumentError("ref needs the referenced table, e.g. customer_id:ref:customers")
    return replace(spec, target=argument)


# Defaults -----------------------------------------------------------------------------


def _str_default(spec: FieldSpec, value: str) -> str:
    if not value.strip() or "\x00" in value:
        raise ArgumentError("a str default cannot be blank (use text for that)")
    if len(value) > spec.length:
        raise ArgumentError(f"the default is longer than {spec.length} characters")
    return _string_source(value)


def _text_default(_spec: FieldSpec, value: str) -> str:
    if "\x00" in value:
        raise ArgumentError("a default cannot hold the NUL character")
    return _string_source(value)


def _string_source(value: str, width: int = 60) -> str:
    """`value` as a Python literal, non-ASCII characters escaped (some look like ASCII
    ones: ruff's RUF001 refuses a cedilla, U+00B8, that reads as a comma). A long one is
    split into strings of `width` characters at most, implicitly concatenated in
    parentheses: ruff format lays them out within the line length, which it never
    does for one long string."""
    parts: list[str] = []
    part = ""
    for char in value:
        escaped = '\\"' if char == '"' else ascii(char)[1:-1]
        if part and len(part) + len(escaped) > width:
            parts.append(part)
            part = ""
        part += escaped
    parts.append(part)
    quoted = " ".join(f'"{part}"' for part in parts)
    return quoted if len(parts) == 1 else f"({quoted})"


def _int_default(spec: FieldSpec, value: str) -> str:
    if not re.fullmatch(r"-?\d{1,19}", value) or not spec.minimum <= int(value) <= spec.maximum:
        raise ArgumentError(
            f"{value!r} is not a whole number from {spec.minimum} to {spec.maximum}"
        )
    return str(int(value))


def _float_default(_spec: FieldSpec, value: str) -> str:
    if not re.fullmatch(r"-?\d{1,15}(\.\d{1,15})?", value):
        raise ArgumentError(f"{value!r} is not a number like 1.5")
    return repr(float(value))


def _decimal_default(spec: FieldSpec, value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ArgumentError(f"{value!r} is not a number like 9.99") from None
    whole, places = spec.precision - spec.scale, spec.scale
    pattern = rf"-?\d{{1,{whole}}}" + (rf"(\.\d{{1,{places}}})?" if places else "")
    if not re.fullmatch(pattern, value):
        raise ArgumentError(f"{value!r} does not fit decimal:{spec.precision},{spec.scale}")
    return f'Decimal("{number.quantize(Decimal(1).scaleb(-places))}")'


def _bool_default(_spec: FieldSpec, value: str) -> str:
    if value not in ("true", "false"):
        raise ArgumentError(f"{value!r} is not true or false")
    return "True" if value == "true" else "False"


def _date_default(_spec: FieldSpec, value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ArgumentError(f"{value!r} is not a date like 2026-01-31") from None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ArgumentError(f"{value!r} is not a date like 2026-01-31")
    return f'dt.date.fromisoformat("{value}")'


def _pattern_default(pattern: str, what: str, length: int) -> Callable[[FieldSpec, str], str]:
    def parse(_spec: FieldSpec, value: str) -> str:
        if not re.fullmatch(pattern, value) or len(value) > length:
            raise ArgumentError(f"{value!r} is not {what}")
        return repr(value)

    return parse


def _choice_default(spec: FieldSpec, value: str) -> str:
    if value not in spec.choices:
        raise ArgumentError(f"{value!r} is not one of {', '.join(spec.choices)}")
    return repr(value)


# Test values --------------------------------------------------------------------------


def _str_sample(spec: FieldSpec) -> str:
    if spec.length >= len(spec.name) + 12:
        return f'f"{spec.name}-{{number}}"'
    return f"str(number % {10 ** min(spec.length, 18)})"  # distinct for consecutive rows


_COUNTS = 2**20  # `number` stays below this in any test run


def _counts(spec: FieldSpec) -> bool:
    """Whether `number` itself is always a valid value."""
    return spec.minimum <= 1 and spec.maximum > _COUNTS


def _int_sample(spec: FieldSpec) -> str:
    if _counts(spec):
        return "number"
    return f"{spec.minimum} + number % {spec.maximum - spec.minimum}"  # never the maximum


def _int_changed(spec: FieldSpec) -> str:
    return "-7" if _counts(spec) and spec.minimum <= -7 else str(spec.maximum)


def _decimal_sample(spec: FieldSpec) -> str:
    step = {0: "", 1: " / 2"}.get(spec.scale, " / 4")  # 0.5 or 0.25: within the scale
    return f"Decimal(number % {10 ** (spec.precision - spec.scale)}){step}"


def _decimal_changed(spec: FieldSpec) -> str:
    return f'"-1{"." + "0" * spec.scale if spec.scale else ""}"'  # samples are never negative


# As the generated app/core/types.py has them: the same for every regex engine.
_ADDRESS_PART = r"[^@.\x00\t\n\r ]+"
_EMAIL = rf"[^@\x00\t\n\r ]+@{_ADDRESS_PART}(\.{_ADDRESS_PART})+"
_URL = r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^\x00\t\n\r ]*)?"

TYPES: dict[str, FieldType] = {
    entry.name: entry
    for entry in (
        FieldType(
            name="str",
            summary="String(length), 255 unless str:LENGTH (1 to 4000); not blank",
            python="str",
            column=lambda spec: Expr("String", _SA, (spec.length,)),
            marker=lambda spec: Expr("Text", _API_TYPES, kwargs=(("max_length", spec.length),)),
            sample=_str_sample,
            changed=lambda spec: '"changed"' if spec.length >= 7 else '"x"',
            parse_argument=_str_length,
            parse_default=_str_default,
            look_alikes=lambda spec: (
                ("case-a", "CASE-A", "cáse-a") if spec.length >= 6 else ("a", "A", "á")
            ),
            refused=lambda spec: (
                '"a\\x00b"',
                f'"{"x" * (spec.length + 1)}"' if spec.length < 100 else f'"x" * {spec.length + 1}',
            ),
        ),
        FieldType(
            name="text",
            summary=f"long text, up to {TEXT_MAX_LENGTH:,} characters; may be blank",
            python="str",
            column=_fixed(Expr("LongText", _DB_TYPES, ())),
            marker=_fixed(
                Expr("Text", _API_TYPES, kwargs=(("max_length", TEXT_MAX_LENGTH), ("blank", True)))
            ),
            sample=lambda spec: f'f"{spec.name[:20]} {{number}}"',
            changed=_constant('"changed"'),
            parse_default=_text_default,
            edges=(f'"é" * {TEXT_MAX_LENGTH}',),  # 128 KiB of UTF-8: past MySQL's TEXT
            refused=_constant_tuple('"a\\x00b"', f'"x" * {TEXT_MAX_LENGTH + 1}'),
            can_be_unique=False,
            unique_refusal="a text field cannot be unique: use str, which can be indexed",
        ),
        FieldType(
            name="int",
            summary="Integer, within -2**31..2**31-1 or int:MIN..MAX",
            python="int",
            column=_fixed(Expr("Integer", _SA, ())),
            marker=lambda spec: Expr(
                "Integer",
                _API_TYPES,
                kwargs=tuple(
                    (key, value)
                    for key, value, unset in (
                        ("minimum", spec.minimum, INT32_MIN),
                        ("maximum", spec.maximum, INT32_MAX),
                    )
                    if value != unset
                ),
            ),
            sample=_int_sample,
            changed=_int_changed,
            parse_argument=_int_range,
            parse_default=_int_default,
        ),
        FieldType(
            name="float",
            summary="Double; finite",
            python="float",
            column=_fixed(Expr("Double", _SA, ())),
            marker=_fixed(Expr("Real", _API_TYPES, ())),
            sample=_constant("number + 0.5"),
            changed=_constant("-2.5"),
            parse_default=_float_default,
        ),
        FieldType(
            name="decimal",
            summary="Numeric(12, 2) or decimal:PRECISION,SCALE; sent as a string",
            python="Decimal",
            python_imports=(Import("decimal", "Decimal"),),
            column=lambda spec: Expr("Numeric", _SA, (spec.precision, spec.scale)),
            marker=lambda spec: Expr("decimal_text", _API_TYPES, (spec.precision, spec.scale)),
            sample=_decimal_sample,
            sample_imports=(Import("decimal", "Decimal"),),
            changed=_decimal_changed,
            parse_argument=_precision_and_scale,
            parse_default=_decimal_default,
        ),
        FieldType(
            name="bool",
            summary="Boolean",
            python="bool",
            column=_fixed(Expr("Boolean", _SA, ())),
            marker=_fixed(Expr("Boolean", _API_TYPES, ())),
            sample=_constant("True"),
            changed=_constant("False"),
            parse_default=_bool_default,
            can_be_unique=False,
        ),
        FieldType(
            name="date",
            summary="Date",
            python="dt.date",
            python_imports=(_DATETIME,),
            column=_fixed(Expr("Date", _SA, ())),
            marker=_fixed(Expr("IsoDate", _API_TYPES, None)),
            sample=_constant("dt.date(2026, 1, 1) + dt.timedelta(days=number)"),
            sample_imports=(_DATETIME,),
            changed=_constant('"1999-12-31"'),
            parse_default=_date_default,
        ),
        FieldType(
            name="datetime",
            summary="a moment with its time zone, stored and returned in UTC",
            python="dt.datetime",
            python_imports=(_DATETIME,),
            column=_fixed(Expr("UTCDateTime", _DB_TYPES, ())),
            marker=_fixed(Expr("IsoDateTime", _API_TYPES, None)),
            # The first and last moments of years 1 to 9999, in UTC.
            edges=('"0001-01-01T00:00:00Z"', '"9999-12-31T23:59:59.999999Z"'),
            # Moments that fall outside them once in UTC, and one without a time zone.
            refused=_constant_tuple(
                '"0001-01-01T00:00:00+01:00"',
                '"9999-12-31T23:59:59-01:00"',
                '"2026-01-31T09:30:00"',
            ),
            sample=_constant(
                "dt.datetime(2026, 1, 1, 9, 30, tzinfo=dt.UTC) + dt.timedelta(minutes=number)"
            ),
            sample_imports=(_DATETIME,),
            changed=_constant('"1999-12-31T23:59:59Z"'),
        ),
        FieldType(
            name="uuid",
            summary="Uuid",
            python="UUID",
            python_imports=(Import("uuid", "UUID"),),
            column=_fixed(Expr("Uuid", _SA, ())),
            marker=_fixed(Expr("UuidText", _API_TYPES, None)),
            sample=_constant("uuid4()"),
            sample_imports=(Import("uuid", "uuid4"),),
            changed=_constant('"12345678-1234-5678-1234-567812345678"'),
        ),
        FieldType(
            name="json",
            summary="JSON object, nested at most 31 deep (MariaDB's limit) and 64 KiB long",
            python="dict[str, Any]",
            python_imports=(Import("typing", "Any"),),
            column=_fixed(Expr("JSON", _SA, ())),
            marker=_fixed(Expr("JsonObject", _API_TYPES, ())),
            # Nested as deep as every database stores; one level more is refused.
            edges=("nested(31)",),
            refused=_constant_tuple("nested(32)", '{"big": "x" * 65536}'),
            sample=_constant('{"number": number}'),
            changed=_constant('{"changed": True}'),
            can_be_unique=False,
        ),
        FieldType(
            name="email",
            summary="String(320); an address with one @ and a dotted domain",
            python="str",
            column=_fixed(Expr("String", _SA, (320,))),
            marker=_fixed(Expr("Email", _API_TYPES, None)),
            sample=_constant('f"user{number}@example.com"'),
            changed=_constant('"changed@example.com"'),
            parse_default=_pattern_default(_EMAIL, "an e-mail address", 320),
            look_alikes=lambda _spec: ("case@example.com", "CASE@example.com", "cáse@example.com"),
            refused=_constant_tuple('"nobody"', '"two@at@example.com"', '"a\\x00@example.com"'),
        ),
        FieldType(
            name="url",
            summary="String(2048); an http or https URL",
            python="str",
            column=_fixed(Expr("String", _SA, (2048,))),
            marker=_fixed(Expr("WebUrl", _API_TYPES, None)),
            sample=_constant('f"https://example.com/{number}"'),
            changed=_constant('"https://example.com/changed"'),
            parse_default=_pattern_default(_URL, "an http or https URL", 2048),
            can_be_unique=False,
            unique_refusal="a url field cannot be unique: it is too long to index",
        ),
        FieldType(
            name="enum",
            summary="one of the values of enum:A|B|C, stored as a String",
            python="str",
            column=lambda spec: Expr("String", _SA, (max(map(len, spec.choices)),)),
            marker=lambda spec: Expr("OneOf", _API_TYPES, spec.choices),
            sample=lambda spec: repr(spec.choices[0]),
            changed=lambda spec: f'"{spec.choices[-1]}"',
            parse_argument=_choices,
            parse_default=_choice_default,
            can_be_unique=False,
        ),
        FieldType(
            name="ref",
            summary="Integer foreign key to ref:TABLE, indexed",
            python="int",
            column=_fixed(Expr("Integer", _SA, ())),
            marker=_fixed(Expr("RowId", _API_TYPES, None)),
            sample=_constant("1"),  # the tests make the rows a reference names
            changed=_constant("1"),
            parse_argument=_table,
        ),
    )
}
REFERENCE = TYPES["ref"]
