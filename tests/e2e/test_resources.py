"""Resources added by `fastgen generate resource` work: own tests, linters, types, HTTP."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.e2e.conftest import (
    Generate,
    assert_mypy_strict_is_clean,
    assert_own_tests_pass,
    run_in_project,
    served_database,
    variant_environment,
)
from tests.e2e.test_serving import Server, serving
from tests.helpers import clean_env, snapshot

pytestmark = pytest.mark.e2e

LONG = "abcdefghij_klmnopqrst_uvwxyzad"  # 30 characters, the most a name may have
LONG_FIELD = "qwertyuiop_asdfghjkl_zxcvbnmqe"
# The example, one field of every type (and SQL reserved words), references,
# irregular plurals, a Python keyword and SQL reserved words as resource names.
RESOURCES = [
    ["order", "customer:str", "total:decimal", "paid:bool=false", "note:text?",
     "placed_at:datetime"],
    ["category", "name:str:unique", "parent_id:ref:categories?"],
    [
        "gadget", "label:str:80:unique", "body:text", "count:int", "ratio:float",
        "price:decimal:10,3", "active:bool=true", "made_on:date", "seen_at:datetime?",
        "token:uuid:unique", "extra:json?", "group:str?", "order:int?", "contact:email:unique",
        "site:url?", "mood:enum:happy|sad=happy", "stock:int:0..",
    ],
    ["order_line", "order_id:ref:orders", "item_id:ref:items", "category_id:ref:categories?",
     "quantity:int:1..=1"],
    ["user", "email:email:unique"],
    ["group", "name:str", "owner_id:ref:users"],
    ["profile", "user_id:ref:users:unique", "bio:text"],
    ["class", "title:str"],
    ["person", "name:str", "born_on:date?"],
    ["slot", "code:str:unique", "day:date:unique", "n:int:unique", "ratio:float:unique",
     "amount:decimal:unique", "at:datetime:unique", "key:uuid:unique?"],
    # Field names that the generated code also uses for its own variables and imports.
    ["widget", "number:int", "fields:text?", "overrides:int=3", "value:decimal:unique",
     "data:json?", "changes:str", "taken:str:unique", "first:date", "own:bool=true",
     "select:str", "func:int?", "cls:str", "session:int", "type:str", "parent:str?"],
    # Resource names that the generated code also uses for its own variables.
    ["client", "label:str:unique"],
    ["session", "client_id:ref:clients", "started_at:datetime"],
    # The cases: a default on a required field; a required reference beside an
    # optional reference to itself.
    ["counter", "value:int=0"],
    ["review", "product_id:ref:gadgets", "rating:int:1..5", "body:text",
     "parent_id:ref:reviews?"],
    # The longest names allowed still give lines that ruff accepts.
    [LONG, f"{LONG_FIELD}:str:unique", f"{LONG_FIELD[:-1]}b:decimal:unique?",
     f"{LONG_FIELD[:-1]}c:datetime:unique"],
    [f"{LONG[:-1]}e", f"{LONG_FIELD}:ref:{LONG}s", f"{LONG_FIELD[:-1]}x:ref:items?"],
]  # fmt: skip
VARIANTS_WITH_RESOURCES = ["sqlite", "postgresql", "mysql", "none", "postgresql-ws-redis"]


def generate_resource(
    project: Path, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastgen", "generate", "resource", *args],
        cwd=cwd or project,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module", params=VARIANTS_WITH_RESOURCES)
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def project(variant: str, generated: Generate, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the variant's project with every resource of RESOURCES added."""
    project = tmp_path_factory.mktemp("resources") / variant
    shutil.copytree(generated(variant), project)
    for number, resource in enumerate(RESOURCES):
        # Every other resource from a subfolder: the project is found from anywhere in it.
        cwd = project / "app" / "api" if number % 2 else project
        result = generate_resource(project, *resource, cwd=cwd)
        assert result.returncode == 0, result.stderr
    return project


def test_own_tests_pass(variant: str, project: Path, project_python: Path) -> None:
    assert_own_tests_pass(project_python, project, variant)  # with the migration round trip
    for resource in ("orders", "gadgets", "order_lines", "users", "groups", "classes", "people",
                     "counters", "reviews"):  # fmt: skip
        for layer in ("api", "crud", "services"):
            assert (project / "tests" / layer / f"test_{resource}.py").is_file()


def test_ruff_and_mypy_strict_are_clean(
    project: Path, project_python: Path, pytestconfig: pytest.Config
) -> None:
    run_in_project(project_python, project, "ruff", "check", "--no-cache", ".")
    run_in_project(project_python, project, "ruff", "format", "--no-cache", "--check", ".")
    assert_mypy_strict_is_clean(project_python, project, pytestconfig)


def test_generating_a_resource_again_changes_nothing(project: Path) -> None:
    before = snapshot(project)

    result = generate_resource(project, *RESOURCES[0])

    assert result.returncode == 1
    assert result.stderr.startswith("error: resource 'order' already exists: app/models/order.py")
    assert result.stderr.endswith("(nothing was changed)\n")
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(project) == before


@pytest.fixture(scope="module")
def server(
    variant: str, project: Path, project_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"served-resources-{variant}")
    with ExitStack() as stack:
        env = variant_environment(variant)
        database = variant.partition("-")[0]
        if database != "none":
            env["DATABASE_URL"] = stack.enter_context(
                served_database(database, project_python, folder)
            )
            run_in_project(project_python, project, "alembic", "upgrade", "head", env=env)
        yield stack.enter_context(serving(project_python, project, env, folder / "uvicorn.log"))


API = "/api/v1"


def test_new_endpoints_over_http(variant: str, server: Server) -> None:
    status, category = server.request("POST", f"{API}/categories", {"name": "Lamps"})
    assert status == 201
    assert server.request("POST", f"{API}/categories", {"name": "Lamps"}) == (
        409,
        {"detail": "name 'Lamps' is taken"},
    )
    status, child = server.request(
        "POST", f"{API}/categories", {"name": "Desk", "parent_id": category["id"]}
    )
    assert (status, child["parent_id"]) == (201, category["id"])
    assert server.request("POST", f"{API}/categories", {"name": "Orphan", "parent_id": 999999}) == (
        404,
        {"detail": "Category 999999 not found"},
    )
    cycle = server.request(
        "PATCH", f"{API}/categories/{category['id']}", {"parent_id": child["id"]}
    )
    assert cycle[0] == 409
    assert cycle[1]["detail"].endswith("its own ancestor")
    status, order = server.request(
        "POST",
        f"{API}/orders",
        {"customer": "Ada", "total": "12.5", "placed_at": "2026-03-01T10:00:00+01:00"},
    )
    assert (status, order) == (
        201,
        {
            "id": order["id"],
            "customer": "Ada",
            "total": "12.50",
            "paid": False,
            "note": None,
            "placed_at": "2026-03-01T09:00:00Z",
        },
    )
    assert server.request("GET", f"{API}/orders/{order['id']}") == (200, order)
    assert server.request("PATCH", f"{API}/orders/{order['id']}", {"paid": True}) == (
        200,
        order | {"paid": True},
    )
    naive = {"customer": "Ada", "total": "1", "placed_at": "2026-03-01T10:00:00"}
    assert server.request("POST", f"{API}/orders", naive)[0] == 422

    status, item = server.request("POST", f"{API}/items", {"name": "Resource lamp"})
    assert status == 201
    line = {"order_id": order["id"], "item_id": item["id"], "category_id": category["id"]}
    status, created = server.request("POST", f"{API}/order-lines", line)
    assert (status, created) == (201, line | {"id": created["id"], "quantity": 1})
    assert server.request("POST", f"{API}/order-lines", line | {"order_id": 999999}) == (
        404,
        {"detail": "Order 999999 not found"},
    )
    assert server.request("DELETE", f"{API}/orders/{order['id']}") == (
        409,
        {"detail": f"Order {order['id']} is still referred to by order_lines.order_id"},
    )
    assert server.request("DELETE", f"{API}/categories/{category['id']}") == (
        409,
        {
            "detail": f"Category {category['id']} is still referred to by "
            "categories.parent_id, order_lines.category_id"
        },
    )
    status, page = server.request("GET", f"{API}/order-lines?limit=100")
    assert (status, page["total"], page["items"]) == (200, 1, [created | {"quantity": 1}])
    assert server.request("GET", f"{API}/order-lines?limit=101")[0] == 422
    assert server.request("DELETE", f"{API}/order-lines/{created['id']}") == (204, None)
    assert server.request("GET", f"{API}/order-lines/{created['id']}")[0] == 404


def test_every_field_type_and_reserved_names_over_http(server: Server) -> None:
    gadget = {
        "label": "Dial",
        "body": "A dial.",
        "count": 3,
        "ratio": 0.25,
        "price": "19.990",
        "active": True,
        "made_on": "2026-02-03",
        "seen_at": "2026-02-03T04:05:06Z",
        "token": "12345678-1234-5678-1234-567812345678",
        "extra": {"colours": ["red", "blue"], "size": 2},
        "group": "tools",
        "order": 7,
        "contact": "ada@example.com",
        "site": "https://example.com/a?b=c",
        "mood": "sad",
        "stock": 0,
    }
    status, created = server.request("POST", f"{API}/gadgets", gadget)
    assert (status, created) == (201, gadget | {"id": created["id"]})
    assert server.request("GET", f"{API}/gadgets/{created['id']}") == (200, created)
    for wrong in ({"mood": "angry"}, {"stock": -1}, {"contact": "nobody"}, {"count": "3"}):
        assert server.request("POST", f"{API}/gadgets", gadget | wrong)[0] == 422

    status, user = server.request("POST", f"{API}/users", {"email": "ada@example.com"})
    assert status == 201
    body = {"name": "Admins", "owner_id": user["id"]}
    status, group = server.request("POST", f"{API}/groups", body)
    assert status == 201
    assert server.request("GET", f"{API}/groups/{group['id']}") == (200, group)
    profile = {"user_id": user["id"], "bio": ""}
    assert server.request("POST", f"{API}/profiles", profile)[0] == 201
    assert server.request("POST", f"{API}/profiles", profile)[0] == 409  # one per user
    assert server.request("POST", f"{API}/classes", {"title": "Algebra"})[0] == 201
    assert server.request("POST", f"{API}/people", {"name": "Ada"})[1]["born_on"] is None

    status, schema = server.request("GET", "/openapi.json")
    paths = {f"{API}/orders", f"{API}/gadgets/{{gadget_id}}", f"{API}/classes/{{class_id}}"}
    assert paths <= set(schema["paths"])


# On each way of storing data; the WebSocket and jobs variant adds no route of its own.
@pytest.mark.parametrize("variant", VARIANTS_WITH_RESOURCES[:4], indirect=True)
def test_an_outside_fuzzer_finds_nothing(
    server: Server, project_python: Path, tmp_path: Path
) -> None:
    """Schemathesis, from outside, with every check and phase (stateful included)."""
    schemathesis = project_python.parent / "schemathesis"
    # One worker: in threads, CPython 3.11's ast.parse can fail with "AST constructor
    # recursion depth mismatch" (gh-106905), which Hypothesis met inside schemathesis.
    result = subprocess.run(
        [str(schemathesis), "run", f"{server.base_url}/openapi.json", "--checks", "all",
         "--max-examples", "10", "--workers", "1", "--report", "junit",
         "--report-dir", str(tmp_path)],
        capture_output=True, text=True, check=False, env=clean_env(), timeout=900,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout[-6000:]
    (report,) = tmp_path.glob("*.xml")
    suites = ElementTree.parse(report).getroot()  # noqa: S314 - the report of the run above
    cases = int(suites.get("tests", "0"))
    assert cases > 0
    assert (suites.get("failures"), suites.get("errors")) == ("0", "0"), result.stdout[-6000:]
