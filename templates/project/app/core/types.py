"""The values a client may send, one type per kind of field.

Each type's JSON schema states exactly what it accepts, so a request that follows the
OpenAPI document is never refused for its values, and one that does not always is.
JSON is read strictly: `false` is not a number and `"1"` is not an integer.
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

# The range of an INTEGER column on every database.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# The patterns mean the same to every regex engine (JSON Schema's, Python's, Rust's):
# explicit character classes only, as the meaning of \d and \s differs between them.
_TEXT = r"^[^\x00]*$"  # databases refuse the NUL character in text
_NON_BLANK_TEXT = r"^[^\x00]*[^\x00\t\n\r ][^\x00]*$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TIME = r"[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?([Zz]|[+-][0-9]{2}:[0-9]{2})"
_DATETIME = rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[Tt]{_TIME}$"
_UUID = r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$"
_ADDRESS_PART = r"[^@.\x00\t\n\r ]+"
_EMAIL = rf"^[^@\x00\t\n\r ]+@{_ADDRESS_PART}(\.{_ADDRESS_PART})+$"
_URL = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^\x00\t\n\r ]*)?$"


def _refuse(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


@dataclass(frozen=True)
class Text:
    """At most `max_length` characters, without NUL; not blank unless `blank`."""

    max_length: int
    blank: bool = False

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.str_schema(
            strict=True,
            max_length=self.max_length,
            pattern=_TEXT if self.blank else _NON_BLANK_TEXT,
        )


@dataclass(frozen=True)
class Integer:
    """A whole number within the column's range, never a boolean or a string.

    As in JSON Schema, a number with a zero fraction, such as 2.0, is whole.
    """

    minimum: int = INT32_MIN
    maximum: int = INT32_MAX

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        whole = core_schema.int_schema(strict=True, ge=self.minimum, le=self.maximum)
        return core_schema.no_info_before_validator_function(_whole_number, whole)


def _whole_number(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Real:
    """A finite floating-point number, never a boolean or a string."""

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.float_schema(strict=True, allow_inf_nan=False)


@dataclass(frozen=True)
class Boolean:
    """`true` or `false`, never a number or a string."""

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.bool_schema(strict=True)


class OneOf:
    """One of the given strings, exactly."""

    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.literal_schema(list(self.choices))


@dataclass(frozen=True)
class TextFormat:
    """A value that JSON carries as a string matching `pattern`, such as a date.

    `parse` turns the text into the value and `write` turns the value back into text,
    which also lets Python code (a test factory, say) pass the value itself.
    """

    pattern: str
    expected: str  # a valid value, in words, for the error message
    parse: Callable[[str], Any] = str
    write: Callable[[Any], str] = str
    format: str | None = None  # the OpenAPI format, where there is one
    max_length: int | None = None

    def __get_pydantic_core_schema__(
        self, source: type[Any], _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        pattern = re.compile(self.pattern)
        refusal = _refuse("value_format", f"must be {self.expected}")

        def validate(value: object) -> Any:
            if not isinstance(value, str) and isinstance(value, source):
                value = self.write(value)
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise refusal
            if self.max_length is not None and len(value) > self.max_length:
                raise refusal
            try:
                value.encode()  # no lone surrogates: they cannot be stored
                return self.parse(value)
            except (ValueError, OverflowError):
                raise refusal from None

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                self.write, when_used="json"
            ),
        )

    def __get_pydantic_json_schema__(
        self, _schema: core_schema.CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema: JsonSchemaValue = {"type": "string", "pattern": self.pattern}
        if self.format:
            schema["format"] = self.format
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        return schema


def decimal_text(precision: int, scale: int) -> TextFormat:
    """A decimal in a string, such as "12.50", that fits NUMERIC(precision, scale).

    It is kept and returned with exactly `scale` places, as databases give it back.
    """
    whole = precision - scale
    places = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
    exponent = Decimal(1).scaleb(-scale)
    return TextFormat(
        pattern=rf"^-?[0-9]{{1,{whole}}}{places}$",
        expected=f"a decimal in a string, with at most {whole} digits before the point"
        + (f" and {scale} after it" if scale else " and none after it"),
        parse=lambda text: Decimal(text).quantize(exponent),
        write=lambda value: format(value, "f"),
    )


def _utc_moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.upper()).astimezone(dt.UTC)


def _write_utc_moment(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")  # as Pydantic writes UTC


IsoDate = TextFormat(
    _DATE, "a date such as 2026-01-31", dt.date.fromisoformat, dt.date.isoformat, "date"
)
IsoDateTime = TextFormat(
    _DATETIME,
    "a date and time with its time zone, such as 2026-01-31T09:30:00Z, "
    "within years 1 to 9999 in UTC",
    _utc_moment,
    _write_utc_moment,
    "date-time",
)  # kept in UTC
UuidText = TextFormat(
    _UUID, "a UUID such as 12345678-1234-5678-1234-567812345678", UUID, str, "uuid"
)
MAX_EMAIL_LENGTH = 320
Email = TextFormat(
    _EMAIL,
    "an e-mail address such as ada@example.com, of at most 320 characters",
    max_length=MAX_EMAIL_LENGTH,
)  # one `@` and a domain with a dot: the pattern is the whole rule
WebUrl = TextFormat(
    _URL,
    "an http or https URL such as https://example.com/page, of at most 2048 characters",
    max_length=2048,
)  # kept exactly as given


@dataclass(frozen=True)
class JsonObject:
    """A JSON object nested at most `max_depth` levels and `max_bytes` long as JSON.

    The bounds hold on every database (MariaDB refuses deeper documents) and keep
    a stored document readable; NaN and infinities are not JSON and are refused.
    """

    max_depth: int = 31
    max_bytes: int = 64 * 1024

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(document: dict[str, Any]) -> dict[str, Any]:
            if _depth(document) > self.max_depth:
                raise _refuse("json_depth", f"must nest at most {self.max_depth} deep")
            try:
                text = json.dumps(document, allow_nan=False, ensure_ascii=False)
                size = len(text.encode())
            except ValueError:
                raise _refuse("json_number", "must hold finite numbers") from None
            except UnicodeEncodeError:  # a lone surrogate cannot be stored or sent back
                raise _refuse("json_text", "must hold valid Unicode") from None
            if size > self.max_bytes:
                raise _refuse("json_size", f"must be {self.max_bytes} bytes at most")
            return document

        keys, values = core_schema.str_schema(), core_schema.any_schema()
        objects = core_schema.dict_schema(keys, values, strict=True)
        return core_schema.no_info_after_validator_function(validate, objects)


def _depth(value: object) -> int:
    """How deep `value` nests, counting each object or array; without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, level + 1) for child in children)
    return deepest


RowId = Annotated[int, Integer(minimum=1)]
"""The id of a stored row, as a reference to it."""
