"""What the resource templates see: a typed view of one resource and its fields.

The view holds names and values; the templates (and their macros in `_macros.jinja`)
write the code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from fastgen._fieldtypes import REFERENCE, Expr, FieldType, Import
from fastgen.fields import FieldSpec, default_source
from fastgen.names import ResourceName

# Names a generated schemas module may import: an alias must not hide one.
_SCHEMA_NAMES = frozenset(
    {
        "Annotated", "Any", "BaseModel", "Boolean", "ConfigDict", "Decimal", "Email",
        "Integer", "IsoDate", "IsoDateTime", "JsonObject", "OneOf", "Real", "RowId",
        "SkipJsonSchema", "Text", "UUID", "UuidText", "WebUrl", "decimal_text", "dt",
    }
)  # fmt: skip
_SCHEMA_CLASSES = ("Create", "Update", "Read")


@dataclass(frozen=True)
class Reference:
    """A resource that the new one refers to, and the new one's fields naming it."""

    name: ResourceName
    fields: tuple[str, ...]
    path: str = ""  # where its routes are, '' if it has none
    own: bool = False  # the resource refers to itself: parent_id:ref:categories
    needs_references: bool = False  # its own rows refer to others, made by its fixture
    owned: bool = False  # its repository shows a user only their own rows

    @property
    def repository(self) -> str:
        return f"{self.name.class_name}Repository"

    @property
    def factory(self) -> str:
        return f"valid_{self.name.singular}"

    @property
    def fixture(self) -> str:
        return references_fixture(self.name)


def references_fixture(name: ResourceName) -> str:
    """The test fixture that makes fresh rows for a new `name` to refer to."""
    return f"new_{name.singular}_references"


@dataclass(frozen=True)
class FieldContext:
    """One field, with what each layer writes for it."""

    spec: FieldSpec
    alias: str  # the name of its input type in the schemas module; '' for references

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def optional(self) -> bool:
        return self.spec.optional

    @property
    def unique(self) -> bool:
        return self.spec.unique

    @property
    def type(self) -> FieldType:
        return self.spec.type

    @property
    def is_reference(self) -> bool:
        return self.type is REFERENCE

    @property
    def python(self) -> str:
        return self.type.python

    @property
    def column(self) -> Expr:
        return self.type.column(self.spec)

    @property
    def marker(self) -> Expr:
        return self.type.marker(self.spec)

    @property
    def input_type(self) -> str:
        return self.alias or self.marker.name

    @property
    def default(self) -> str:
        """The default as Python source, '' without one."""
        return default_source(self.spec)

    @property
    def sample(self) -> str:
        return self.type.sample(self.spec)

    @property
    def changed(self) -> str:
        return self.type.changed(self.spec)


@dataclass(frozen=True)
class ResourceContext:
    """One resource, in the project it is added to."""

    name: ResourceName
    fields: tuple[FieldContext, ...]
    references: tuple[Reference, ...]
    database: str
    websocket: bool
    events: bool = False  # its service announces its changes (WebSocket, webhook job)
    auth: bool = False  # its routes answer logged-in users only
    owned: bool = False  # each row belongs to a user, who alone (and admins) sees it
    revision: str = ""
    down_revision: str | None = None

    @staticmethod
    def fields_of(name: ResourceName, specs: tuple[FieldSpec, ...]) -> tuple[FieldContext, ...]:
        """The fields, each with an alias for its input type that hides no other name."""
        taken = set(_SCHEMA_NAMES) | {f"{name.class_name}{kind}" for kind in _SCHEMA_CLASSES}
        fields = []
        for spec in specs:
            alias = "" if spec.type is REFERENCE else _alias(spec.name, taken)
            taken.add(alias)
            fields.append(FieldContext(spec, alias))
        return tuple(fields)

    @property
    def sql(self) -> bool:
        return self.database != "none"

    @property
    def id(self) -> str:
        """The id's name as a parameter and in paths: `order_id`."""
        return f"{self.name.singular}_id"

    @property
    def factory(self) -> str:
        return f"valid_{self.name.singular}"

    @property
    def references_fixture(self) -> str:
        return references_fixture(self.name) if self.references else ""

    @property
    def other_references(self) -> tuple[Reference, ...]:
        return tuple(reference for reference in self.references if not reference.own)

    @property
    def needs_viewer(self) -> bool:
        """Whether its repositories are built for the user making the request."""
        return self.owned or any(reference.owned for reference in self.other_references)

    @property
    def own_reference(self) -> Reference | None:
        return next((reference for reference in self.references if reference.own), None)

    @property
    def unique(self) -> tuple[FieldContext, ...]:
        return tuple(field for field in self.fields if field.unique)

    @property
    def per_owner_unique(self) -> tuple[FieldContext, ...]:
        """The unique fields of an owned resource: unique among one owner's rows, so a
        value another user took is never refused (nor revealed)."""
        return self.unique if self.owned else ()

    @property
    def not_null(self) -> tuple[FieldContext, ...]:
        return tuple(field for field in self.fields if not field.optional)

    @property
    def nullable(self) -> tuple[FieldContext, ...]:
        return tuple(field for field in self.fields if field.optional)

    @property
    def reference_fields(self) -> tuple[FieldContext, ...]:
        return tuple(field for field in self.fields if field.is_reference)

    @property
    def update_field(self) -> FieldContext | None:
        """The field the update tests change: the first that is not a reference."""
        return next((field for field in self.fields if not field.is_reference), None)

    @property
    def samples_use_number(self) -> bool:
        """Whether the factory draws a number to make its values differ."""
        return any("number" in field.sample for field in self.fields if not field.is_reference)

    def reference_of(self, field: FieldContext) -> Reference:
        return next(ref for ref in self.references if field.name in ref.fields)

    def columns_referring_to(self, reference: Reference) -> str:
        """`table.column, ...` as a refused delete of the referenced row lists them."""
        return ", ".join(sorted(f"{self.name.table}.{field}" for field in reference.fields))

    # Imports of each generated module --------------------------------------------------

    @cached_property
    def python_imports(self) -> tuple[Import, ...]:
        """What the fields' Python types need."""
        return _unique(i for field in self.fields for i in field.type.python_imports)

    @property
    def model_imports(self) -> tuple[Import, ...]:
        imports = [*self.python_imports]
        if self.sql:
            columns = (field.column for field in self.fields if not field.is_reference)
            imports += [i for column in columns for i in column.imports]
            if self.references or self.owned:
                imports.append(Import("sqlalchemy", "ForeignKey"))
            if self.per_owner_unique:
                imports.append(Import("sqlalchemy", "UniqueConstraint"))
        elif self.references:
            imports += [Import("dataclasses", "field"), Import("app.db.memory", "references")]
        return _unique(imports)

    @property
    def migration_imports(self) -> tuple[Import, ...]:
        return _unique(
            i
            for field in self.fields
            for i in field.column.imports
            if i.module != "sqlalchemy"  # the migration writes sa.String, sa.Integer...
        )

    @property
    def schema_imports(self) -> tuple[Import, ...]:
        return _unique(
            [
                *self.python_imports,
                *(i for field in self.fields for i in field.marker.imports),
            ]
        )

    @property
    def unique_imports(self) -> tuple[Import, ...]:
        """What the Python types of the unique fields need."""
        return _unique(i for field in self.unique for i in field.type.python_imports)

    @property
    def sample_imports(self) -> tuple[Import, ...]:
        return _unique(i for field in self.fields for i in field.type.sample_imports)


def _alias(field_name: str, taken: set[str]) -> str:
    alias = "".join(part.capitalize() for part in field_name.split("_"))
    while alias in taken:
        alias += "Value"
    return alias


def _unique(imports: Iterable[Import]) -> tuple[Import, ...]:
    return tuple(dict.fromkeys(imports))
