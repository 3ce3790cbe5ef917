"""The code each layer of a resource needs for one field: column, schema type, test values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from fastgen.fields import REFERENCE, FieldSpec

_DATETIME = "import datetime as dt"  # `dt.date` stays usable in a class with a field `date`


@dataclass(frozen=True)
class FieldCode:
    """One field of a resource as Python source for each layer."""

    spec: FieldSpec
    # Names every schema module may import; an alias of the same name would shadow them.
    _TAKEN: ClassVar[frozenset[str]] = frozenset(
        {"Annotated", "Any", "AwareUTCDateTime", "BaseModel", "ConfigDict", "Decimal", "Field"}
        | {"UTCDateTime", "UUID", "field_validator", "scaled"}
    )

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def optional(self) -> bool:
        return self.spec.optional

    @property
    def python_type(self) -> str:
        """The type of the attribute, on the model and in the Read schema's source data."""
        return {
            "str": "str",
            "text": "str",
            "int": "int",
            "float": "float",
            "decimal": "Decimal",
            "bool": "bool",
            "date": "dt.date",
            "datetime": "dt.datetime",
            "uuid": "UUID",
            "json": "dict[str, Any]",
            REFERENCE: "int",
        }[self.spec.kind]

    @property
    def type_imports(self) -> tuple[str, ...]:
        return {
            "decimal": ("from decimal import Decimal",),
            "date": (_DATETIME,),
            "datetime": (_DATETIME,),
            "uuid": ("from uuid import UUID",),
            "json": ("from typing import Any",),
        }.get(self.spec.kind, ())

    # The ORM model ---------------------------------------------------------------------

    @property
    def model_line(self) -> str:
        """`total: Mapped[Decimal] = mapped_column(Numeric(12, 2))`, or no mapped_column."""
        annotation = f"Mapped[{self._nullable(self.python_type)}]"
        arguments = [self._column_type] if self._column_type else []
        if self.spec.kind == REFERENCE:
            arguments += [f'ForeignKey("{self.spec.target}.id")', "index=True"]
        if self.spec.unique:
            arguments.append("unique=True")
        if not arguments:
            return f"{self.name}: {annotation}"
        return f"{self.name}: {annotation} = mapped_column({', '.join(arguments)})"

    @property
    def model_imports(self) -> tuple[str, ...]:
        names = [self._column_type.partition("(")[0]] if self._column_type else []
        if self.spec.kind == REFERENCE:
            names.append("ForeignKey")
        return (*self.type_imports, *(f"from sqlalchemy import {name}" for name in names))

    @property
    def _column_type(self) -> str:
        """The column type where `Mapped[...]` alone would not give the right one."""
        spec = self.spec
        return {
            "str": f"String({spec.length})",
            "text": "Text",
            "float": "Double",  # a Python float is double precision; MySQL's FLOAT is not
            "decimal": f"Numeric({spec.precision}, {spec.scale})",
            "datetime": "DateTime(timezone=True)",
            "json": "JSON",
        }.get(spec.kind, "")

    @property
    def dataclass_line(self) -> str:
        """The attribute of the in-memory model (a dataclass)."""
        return f"{self.name}: {self._nullable(self.python_type)}"

    # The migration -----------------------------------------------------------------------

    @property
    def migration_column(self) -> str:
        spec = self.spec
        column_type = {
            "str": f"sa.String(length={spec.length})",
            "text": "sa.Text()",
            "int": "sa.Integer()",
            "float": "sa.Double()",
            "decimal": f"sa.Numeric(precision={spec.precision}, scale={spec.scale})",
            "bool": "sa.Boolean()",
            "date": "sa.Date()",
            "datetime": "sa.DateTime(timezone=True)",
            "uuid": "sa.Uuid()",
            "json": "sa.JSON()",
            REFERENCE: "sa.Integer()",
        }[spec.kind]
        return f'sa.Column("{self.name}", {column_type}, nullable={self.optional})'

    # The schemas -------------------------------------------------------------------------

    @property
    def alias(self) -> str:
        """The name of the constrained type shared by Create and Update, if one is needed."""
        if not self._constrained_type:
            return ""
        name = "".join(part.capitalize() for part in self.name.split("_"))
        return f"{name}Value" if name in self._TAKEN else name

    @property
    def alias_definition(self) -> str:
        return f"{self.alias} = {self._constrained_type}" if self.alias else ""

    @property
    def _constrained_type(self) -> str:
        spec = self.spec
        return {
            "str": f"Annotated[str, Field(min_length=1, max_length={spec.length})]",
            "float": "Annotated[float, Field(allow_inf_nan=False)]",
            "decimal": (
                f"Annotated[Decimal, Field(max_digits={spec.precision}, "
                f"decimal_places={spec.scale}), scaled({spec.scale})]"
            ),
        }.get(spec.kind, "")

    @property
    def input_type(self) -> str:
        """The type a client sends: constrained, and time zones required."""
        if self.alias:
            return self.alias
        return "AwareUTCDateTime" if self.spec.kind == "datetime" else self.python_type

    @property
    def output_type(self) -> str:
        return self._nullable("UTCDateTime" if self.spec.kind == "datetime" else self.python_type)

    @property
    def conflict_value(self) -> str:
        """The f-string part that shows a taken value in a conflict message."""
        return "{value!r}" if self.python_type == "str" else "{value}"

    @property
    def conflict_detail(self) -> str:
        """The conflict message for the JSON value `taken`, as Python source."""
        if self.spec.kind == "datetime":  # str() and JSON write a moment differently
            return ""
        conversion = "!r" if self.python_type == "str" else ""
        return f'f"{self.name} {{taken{conversion}}} is taken"'

    @property
    def create_line(self) -> str:
        default = self.default_source
        if self.optional:
            return f"{self.name}: {self.input_type} | None = {default or 'None'}"
        return f"{self.name}: {self.input_type}" + (f" = {default}" if default else "")

    @property
    def schema_imports(self) -> tuple[str, ...]:
        imports = [] if self.spec.kind == "datetime" else list(self.type_imports)
        if self.alias:
            imports.append("from typing import Annotated")
            imports.append("from pydantic import Field")
        if self.spec.kind == "datetime":
            imports.append("from app.core.types import AwareUTCDateTime, UTCDateTime")
        if self.spec.kind == "decimal":
            imports.append("from app.core.types import scaled")
        return tuple(imports)

    @property
    def default_source(self) -> str:
        """The default as Python source, or '' when there is none."""
        value = self.spec.default
        if value is None:
            return ""
        match self.spec.kind:
            case "str" | "text":
                return repr(value)
            case "bool":
                return "True" if value == "true" else "False"
            case "float":
                return repr(float(value))
            case "decimal":
                return f'Decimal("{value}")'
            case "date":
                return f'dt.date.fromisoformat("{value}")'
        return value  # int

    # Test data ---------------------------------------------------------------------------

    @property
    def sample(self) -> str:
        """A valid value as Python source, unique per `number` where the field is unique."""
        spec = self.spec
        match spec.kind:
            case "str":
                label = spec.name[:20]
                return f'f"{label}-{{number}}"' if spec.length >= len(label) + 8 else "str(number)"
            case "text":
                return f'f"{spec.name} {{number}}"'
            case "int":
                return "number"
            case "float":
                return "number + 0.5"
            case "decimal":
                whole = 10 ** (spec.precision - spec.scale)
                step = {0: "", 1: " / 2"}.get(spec.scale, " / 4")
                return f"Decimal(number % {whole}){step}"
            case "bool":
                return "True"
            case "date":
                return "dt.date(2026, 1, 1) + dt.timedelta(days=number)"
            case "datetime":
                return (
                    "dt.datetime(2026, 1, 1, 9, 30, tzinfo=dt.UTC) + dt.timedelta(minutes=number)"
                )
            case "uuid":
                return "uuid4()"
            case "json":
                return '{"number": number}'
        raise ValueError(spec.kind)  # references are given by the tests

    @property
    def sample_imports(self) -> tuple[str, ...]:
        return {
            "decimal": ("from decimal import Decimal",),
            "date": (_DATETIME,),
            "datetime": (_DATETIME,),
            "uuid": ("from uuid import uuid4",),
        }.get(self.spec.kind, ())

    @property
    def changed_json(self) -> str:
        """Python source of a JSON value that differs from every sample."""
        spec = self.spec
        return {
            "str": '"changed"' if spec.length >= len("changed") else '"x"',
            "text": '"changed"',
            "int": "-7",
            "float": "-2.5",
            "decimal": f'"{"0.5".ljust(spec.scale + 2, "0") if spec.scale else "7"}"',
            "bool": "False",
            "date": '"2030-05-06"',
            "datetime": '"2030-05-06T07:08:09Z"',
            "uuid": '"12345678-1234-5678-1234-567812345678"',
            "json": '{"changed": True}',
        }[spec.kind]

    def _nullable(self, annotation: str) -> str:
        return f"{annotation} | None" if self.optional else annotation
