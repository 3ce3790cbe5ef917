"""Field specs and resource names of `fastgen generate resource`."""

from __future__ import annotations

import pytest

from fastgen._columns import FieldCode
from fastgen.errors import InvalidNameError
from fastgen.fields import (
    PYDANTIC_METHODS,
    FieldSpec,
    InvalidFieldError,
    parse_field,
    parse_fields,
)
from fastgen.names import parse_resource_name


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("title", FieldSpec("title", "str")),
        ("title:str:120:unique", FieldSpec("title", "str", unique=True, length=120)),
        ("note:text?", FieldSpec("note", "text", optional=True)),
        ("paid:bool=false", FieldSpec("paid", "bool", default="false")),
        ("total:decimal", FieldSpec("total", "decimal", precision=12, scale=2)),
        ("total:decimal:10,3", FieldSpec("total", "decimal", precision=10, scale=3)),
        ("total:decimal:8", FieldSpec("total", "decimal", precision=8, scale=2)),
        ("count:int=-3", FieldSpec("count", "int", default="-3")),
        ("starts_on:date=2026-01-31", FieldSpec("starts_on", "date", default="2026-01-31")),
        ("greeting:str=a=b", FieldSpec("greeting", "str", default="a=b")),
        ("customer_id:ref:customers", FieldSpec("customer_id", "ref", target="customers")),
        ("parent_id:ref:nodes?", FieldSpec("parent_id", "ref", optional=True, target="nodes")),
        ("token:uuid:unique?", FieldSpec("token", "uuid", optional=True, unique=True)),
        ("order:int", FieldSpec("order", "int")),  # an SQL reserved word is fine
    ],
)
def test_valid_specs(spec: str, expected: FieldSpec) -> None:
    assert parse_field(spec) == expected


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("total:money", "unknown type 'money' (valid types: str, text, int, float, decimal"),
        ("Title:str", "field name 'Title' is not snake_case"),
        ("class:str", "'class' is a Python keyword"),
        ("id:int", "'id' is reserved"),
        ("metadata:json", "'metadata' is reserved: SQLAlchemy"),
        ("model_name:str", "starts with 'model_'"),
        ("json:json", "'json' is reserved: Pydantic models have a method of that name"),
        ("schema:str", "'schema' is reserved: Pydantic"),
        ("dt:datetime", "'dt' is reserved: the generated modules import datetime as dt"),
        (f"{'x' * 31}:str", "longer than 30 characters"),
        ("title:str:0", "the length must be a whole number from 1 to 4000"),
        ("title:str:long", "the length must be a whole number"),
        ("total:decimal:40,2", "the precision must be a whole number from 1 to 38"),
        ("total:decimal:4,5", "the scale must be a whole number from 0 to 4"),
        ("count:int:8", "type 'int' takes no argument '8'"),
        ("customer_id:ref", "ref needs the referenced table"),
        ("body:text:unique", "a text field cannot be unique"),
        ("active:bool:unique", "a bool field cannot be unique"),
        ("seen_at:datetime=now", "a datetime field cannot have a default"),
        ("code:str:unique=A", "a unique field cannot have a default"),
        ("count:int=many", "'many' is not a whole number"),
        ("ratio:float=1e9", "'1e9' is not a number like 1.5"),
        ("total:decimal:4,2=123.4", "'123.4' does not fit decimal:4,2"),
        ("total:decimal=NaN", "'NaN' is not a finite number"),
        ("paid:bool=yes", "'yes' is not true or false"),
        ("starts_on:date=tomorrow", "'tomorrow' is not a date like 2026-01-31"),
        ("code:str:2=abc", "the default is longer than 2 characters"),
        ("code:str=  ", "a str default cannot be blank"),
        (":str", "field name '' is not snake_case"),
    ],
)
def test_invalid_specs_say_why(spec: str, reason: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        parse_field(spec)

    assert str(raised.value).startswith(f"invalid field {spec!r}: ")
    assert reason in str(raised.value)


def test_unknown_type_lists_every_valid_one() -> None:
    with pytest.raises(InvalidFieldError) as raised:
        parse_field("x:varchar")

    assert raised.value.hint == (
        "valid types: str, text, int, float, decimal, bool, date, datetime, uuid, json, ref"
    )


def test_a_field_given_twice_is_refused() -> None:
    with pytest.raises(InvalidFieldError, match="field 'name' is given twice"):
        parse_fields(["name:str", "name:text"])


@pytest.mark.parametrize(
    ("spec", "model_line"),
    [
        ("title:str:120:unique", "title: Mapped[str] = mapped_column(String(120), unique=True)"),
        ("note:text?", "note: Mapped[str | None] = mapped_column(Text)"),
        ("count:int", "count: Mapped[int]"),
        ("ratio:float", "ratio: Mapped[float] = mapped_column(Double)"),
        ("total:decimal:10,3", "total: Mapped[Decimal] = mapped_column(Numeric(10, 3))"),
        ("at:datetime", "at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))"),
        ("token:uuid:unique", "token: Mapped[UUID] = mapped_column(unique=True)"),
        ("extra:json?", "extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)"),
        (
            "customer_id:ref:customers",
            'customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)',
        ),
    ],
)
def test_model_columns(spec: str, model_line: str) -> None:
    assert FieldCode(parse_field(spec)).model_line == model_line


@pytest.mark.parametrize(
    ("spec", "create_line"),
    [
        ("paid:bool=false", "paid: bool = False"),
        ("note:text?", "note: str | None = None"),
        ("title:str:80", "title: Title"),
        ("field:str", "field: FieldValue"),  # the alias must not shadow pydantic's Field
        ("total:decimal=9.5", 'total: Total = Decimal("9.5")'),
        ("on:date=2026-01-31", 'on: dt.date = dt.date.fromisoformat("2026-01-31")'),
        ("at:datetime?", "at: AwareUTCDateTime | None = None"),
        ("greeting:str='hi'", "greeting: Greeting = \"'hi'\""),
    ],
)
def test_create_schema_fields(spec: str, create_line: str) -> None:
    assert FieldCode(parse_field(spec)).create_line == create_line


@pytest.mark.parametrize(
    ("raw", "singular", "plural", "class_name", "var", "path"),
    [
        ("order", "order", "orders", "Order", "order", "/orders"),
        ("category", "category", "categories", "Category", "category", "/categories"),
        ("person", "person", "people", "Person", "person", "/people"),
        ("OrderLine", "order_line", "order_lines", "OrderLine", "order_line", "/order-lines"),
        ("order-line", "order_line", "order_lines", "OrderLine", "order_line", "/order-lines"),
        ("class", "class", "classes", "Class", "class_", "/classes"),
        ("type", "type", "types", "Type", "type_", "/types"),
        ("client", "client", "clients", "Client", "client_", "/clients"),
        ("news", "news", "news", "News", "news", "/news"),
    ],
)
def test_resource_names(
    raw: str, singular: str, plural: str, class_name: str, var: str, path: str
) -> None:
    name = parse_resource_name(raw)

    assert (name.singular, name.plural, name.class_name) == (singular, plural, class_name)
    assert (name.var, name.path) == (var, path)


def test_plural_can_be_given() -> None:
    assert parse_resource_name("cactus", "cacti").plural == "cacti"


@pytest.mark.parametrize("raw", ["", "2fast", "order line", "ordér", "a" * 31, "order!"])
def test_invalid_resource_names(raw: str) -> None:
    with pytest.raises(InvalidNameError, match="invalid resource name"):
        parse_resource_name(raw)


def test_the_reserved_pydantic_names_are_those_of_the_installed_pydantic() -> None:
    from pydantic import BaseModel

    public = {name for name in dir(BaseModel) if not name.startswith(("_", "model_"))}

    assert public == PYDANTIC_METHODS
