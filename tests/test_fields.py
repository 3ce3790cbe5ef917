"""Field specs and resource names of `fastgen generate resource`."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from fastgen._fieldtypes import TYPES
from fastgen.errors import InvalidNameError
from fastgen.fields import (
    PYDANTIC_METHODS,
    FieldSpec,
    InvalidFieldError,
    default_source,
    parse_field,
    parse_fields,
)
from fastgen.names import parse_resource_name
from fastgen.template import BUNDLED_TEMPLATE


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
        ("stock:int:0..", FieldSpec("stock", "int", minimum=0)),
        ("stars:int:1..5=3", FieldSpec("stars", "int", minimum=1, maximum=5, default="3")),
        ("cold:int:..0", FieldSpec("cold", "int", maximum=0)),
        ("starts_on:date=2026-01-31", FieldSpec("starts_on", "date", default="2026-01-31")),
        ("greeting:str=a=b", FieldSpec("greeting", "str", default="a=b")),
        ("customer_id:ref:customers", FieldSpec("customer_id", "ref", target="customers")),
        ("parent_id:ref:nodes?", FieldSpec("parent_id", "ref", optional=True, target="nodes")),
        ("owner_id:ref:users:unique", FieldSpec("owner_id", "ref", unique=True, target="users")),
        ("token:uuid:unique?", FieldSpec("token", "uuid", optional=True, unique=True)),
        ("order:int", FieldSpec("order", "int")),  # an SQL reserved word is fine
        ("type:str", FieldSpec("type", "str")),  # a soft keyword is a fine attribute
        (
            "status:enum:draft|published=draft",
            FieldSpec("status", "enum", choices=("draft", "published"), default="draft"),
        ),
        ("contact:email:unique", FieldSpec("contact", "email", unique=True)),
        ("site:url?", FieldSpec("site", "url", optional=True)),
    ],
)
def test_valid_specs(spec: str, expected: FieldSpec) -> None:
    assert parse_field(spec) == expected


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("total:money", "unknown type 'money'"),
        ("Title:str", "field name 'Title' is not snake_case"),
        ("class:str", "'class' is a Python keyword"),
        ("id:int", "'id' is reserved"),
        ("metadata:json", "'metadata' is reserved: SQLAlchemy"),
        ("model_name:str", "starts with 'model_'"),
        ("json:json", "'json' is reserved: Pydantic models have a method of that name"),
        ("schema:str", "'schema' is reserved: Pydantic"),
        ("dt:datetime", "'dt' is reserved: the generated modules import datetime as dt"),
        ("field:str", "'field' is reserved"),
        ("self:int", "'self' is reserved"),
        (f"{'x' * 31}:str", "longer than 30 characters"),
        ("title:str:0", "the length must be a whole number from 1 to 4000"),
        ("title:str:long", "the length must be a whole number"),
        ("title:str:601:unique", "a unique str holds at most 600 characters"),
        ("total:decimal:40,2", "the precision must be a whole number from 1 to 38"),
        ("total:decimal:4,5", "the scale must be a whole number from 0 to 3"),
        ("total:decimal:2,2", "the scale must be a whole number from 0 to 1"),
        ("count:int:8", "an int takes a range such as 0..100"),
        ("count:int:5..1", "the range's minimum must be below its maximum"),
        ("count:int:0..99999999999", "the maximum must be a whole number"),
        ("count:int:1..50:unique", "a unique int needs a range of at least 100 values"),
        ("count:int:1..5=9", "'9' is not a whole number from 1 to 5"),
        ("count:int=1234567890123456789012345678901234567890", "is not a whole number"),
        ("customer_id:ref", "ref needs the referenced table"),
        ("customer_id:ref:Customers", "ref needs the referenced table"),
        ("body:text:unique", "a text field cannot be unique"),
        ("active:bool:unique", "a bool field cannot be unique"),
        ("site:url:unique", "a url field cannot be unique"),
        ("mood:enum:happy|sad:unique", "an enum field cannot be unique"),
        ("mood:enum:happy", "an enum takes two or more values"),
        ("mood:enum:happy|happy", "an enum's values must differ"),
        ("mood:enum:happy|sad face", "an enum takes two or more values"),
        ("mood:enum:happy|sad=angry", "'angry' is not one of happy, sad"),
        ("seen_at:datetime=now", "a datetime field cannot have a default"),
        ("code:str:unique=A", "a unique field cannot have a default"),
        ("count:int=many", "'many' is not a whole number"),
        ("ratio:float=1e9", "'1e9' is not a number like 1.5"),
        ("total:decimal:4,2=123.4", "'123.4' does not fit decimal:4,2"),
        ("total:decimal=NaN", "'NaN' does not fit decimal:12,2"),
        ("paid:bool=yes", "'yes' is not true or false"),
        ("starts_on:date=tomorrow", "'tomorrow' is not a date like 2026-01-31"),
        ("code:str:2=abc", "the default is longer than 2 characters"),
        ("code:str=  ", "a str default cannot be blank"),
        ("contact:email=nobody", "'nobody' is not an e-mail address"),
        ("site:url=ftp://x", "'ftp://x' is not an http or https URL"),
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

    assert raised.value.hint == f"types: {', '.join(TYPES)}"


def test_a_field_given_twice_is_refused() -> None:
    with pytest.raises(InvalidFieldError, match="field 'name' is given twice"):
        parse_fields(["name:str", "name:text"])


@st.composite
def specs(draw: st.DrawFn) -> str:
    """Field specs of every type and form, valid or not."""
    kind = draw(st.sampled_from([*TYPES, "ref"]))
    argument = draw(
        st.sampled_from(
            {
                "str": ["", ":1", ":40", ":600", ":4000"],
                "int": ["", ":0..", ":..0", ":-5..5", ":1..1000"],
                "decimal": ["", ":1,0", ":10,3", ":38,37"],
                "enum": [":a|b", ":draft|published|archived"],
                "ref": [":things"],
            }.get(kind, [""])
        )
    )
    unique = draw(st.sampled_from(["", ":unique"]))
    optional = draw(st.sampled_from(["", "?"]))
    default = draw(st.one_of(st.just(""), st.text(max_size=12).map("={}".format)))
    return f"field:{kind}{argument}{unique}{optional}{default}"


@settings(max_examples=300)
@given(spec=specs())
def test_a_parsed_spec_writes_back_a_spec_that_parses_the_same(spec: str) -> None:
    try:
        field = parse_field(spec)
    except InvalidFieldError:
        return
    assert parse_field(field.spec) == field


@pytest.fixture(scope="module")
def app_types() -> Iterator[ModuleType]:
    """The generated app's own `app/core/types.py`, imported from the template."""
    path = BUNDLED_TEMPLATE / "project" / "app" / "core" / "types.py"
    spec = importlib.util.spec_from_file_location("generated_types", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@settings(max_examples=300)
@given(spec=specs())
def test_every_default_fastgen_accepts_is_valid_for_the_generated_app(
    app_types: ModuleType, spec: str
) -> None:
    try:
        field = parse_field(spec)
    except InvalidFieldError:
        return
    if not field.default:
        return
    marker = field.type.marker(field)
    metadata = getattr(app_types, marker.name)
    if marker.args is not None:
        metadata = metadata(*marker.args, **dict(marker.kwargs))
    python_type: Any = {"Decimal": __import__("decimal").Decimal}.get(field.type.python, Any)
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[python_type, metadata])
    value = eval(default_source(field), {"Decimal": python_type, "dt": __import__("datetime")})  # noqa: S307
    try:
        adapter.validate_python(value)
    except ValidationError as error:
        pytest.fail(f"{spec}: the default {value!r} is refused by the app: {error}")


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


@pytest.mark.parametrize("spec", ["name:str=a\u00b8b", "note:text=\u00dcber \u00b8"])
def test_string_defaults_are_written_in_ascii_and_mean_the_same(spec: str) -> None:
    field = parse_field(spec)
    source = default_source(field)

    assert source.isascii()  # ruff's RUF001 refuses look-alikes such as the cedilla
    assert eval(source) == field.default  # noqa: S307
