"""`fastgen generate resource` in a project: what it writes, what it refuses, and atomicity.

Whether the written code works is proved end to end in tests/e2e/test_resources.py.
"""

from __future__ import annotations

import ast
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fastgen import _files
from fastgen.api import ProjectRequest, create_project
from fastgen.names import parse_project_name
from fastgen.template import load_template
from tests.conftest import Invoke
from tests.helpers import clean_env, immutable, snapshot
from tests.test_safety import wait_for


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One freshly generated project per database kind, copied by each test."""
    root = tmp_path_factory.mktemp("resource-templates")
    return {
        database: create_project(
            ProjectRequest(
                name=parse_project_name("shop"),
                destination=root / database,
                answers={"database": database},
                git=False,
            )
        ).path
        for database in ("sqlite", "none")
    }


@pytest.fixture
def project(templates: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the SQLite project, as the working directory."""
    copy = tmp_path / "shop"
    shutil.copytree(templates["sqlite"], copy)
    monkeypatch.chdir(copy)
    return copy


def fail(invoke: Invoke, root: Path, *args: str) -> str:
    """Run `fastgen generate resource ARGS`, assert it failed cleanly; return stderr."""
    before = snapshot(root)

    result = invoke("generate", "resource", *args)

    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert snapshot(root) == before
    return result.stderr


def module(path: Path) -> ast.Module:
    return ast.parse(path.read_text())


def test_writes_every_layer_and_registers_it(invoke: Invoke, project: Path) -> None:
    result = invoke("generate", "resource", "order", "customer:str", "total:decimal")

    assert result.exit_code == 0, result.stderr
    created = [
        "app/models/order.py",
        "app/schemas/orders.py",
        "app/crud/orders.py",
        "app/services/orders.py",
        "app/api/routes/orders.py",
        "tests/api/test_orders.py",
        "tests/crud/test_orders.py",
        "tests/services/test_orders.py",
        "migrations/versions/0002_create_orders_table.py",
    ]
    updated = [
        "app/api/router.py",
        "app/api/deps.py",
        "tests/factories.py",
        "app/models/__init__.py",
        ".fastgen.json",
    ]
    assert result.stdout.split("\n")[1:15] == [
        *(f"  create {path}" for path in created),
        *(f"  update {path}" for path in updated),
    ]
    router = (project / "app/api/router.py").read_text()
    assert "from app.api.routes import items, orders\n" in router
    assert "ROUTERS: tuple[APIRouter, ...] = (\n    items.router,\n    orders.router,\n)" in router
    models = (project / "app/models/__init__.py").read_text()
    assert '__all__ = [\n    "Base",\n    "Item",\n    "Order",\n]' in models
    assert "OrderServiceDep = Annotated[OrderService" in (project / "app/api/deps.py").read_text()
    record = json.loads((project / ".fastgen.json").read_text())
    assert record["resources"][-1] == {
        "name": "order",
        "plural": "orders",
        "fields": ["customer:str", "total:decimal:12,2"],
        "template_version": load_template().version,
    }


def test_revisions_chain_after_the_head(invoke: Invoke, project: Path) -> None:
    for name in ("order", "category"):
        assert invoke("generate", "resource", name, "name:str").exit_code == 0

    versions = project / "migrations" / "versions"
    revision = (versions / "0003_create_categories_table.py").read_text()
    assert 'revision: str = "0003"\ndown_revision: str | None = "0002"' in revision
    assert 'op.drop_table("categories")' in revision


def test_an_existing_resource_is_refused_without_a_change(invoke: Invoke, project: Path) -> None:
    assert invoke("generate", "resource", "order", "customer:str").exit_code == 0

    stderr = fail(invoke, project, "order", "customer:str", "note:text")

    assert stderr == (
        "error: resource 'order' already exists: app/models/order.py, app/schemas/orders.py, "
        "app/crud/orders.py and 11 more (nothing was changed)\n"
    )


def test_a_table_made_by_a_hand_written_migration_is_refused(invoke: Invoke, project: Path) -> None:
    migration = project / "migrations/versions/0001_create_items_table.py"
    migration.write_text(
        migration.read_text().replace(
            '"items",', '"items",\n    ) or op.create_table(\n        "orders",', 1
        )
    )

    stderr = fail(invoke, project, "order", "customer:str")

    assert "table 'orders' (migrations/versions/0001_create_items_table.py)" in stderr


def test_a_route_prefix_already_served_is_refused(invoke: Invoke, project: Path) -> None:
    (project / "app/api/routes/shop.py").write_text('router = APIRouter(prefix="/orders")\n')

    assert "route /orders (app/api/routes/shop.py)" in fail(invoke, project, "order", "a:int")


def test_dry_run_shows_the_changes_and_writes_nothing(invoke: Invoke, project: Path) -> None:
    before = snapshot(project)

    result = invoke("generate", "resource", "category", "name:str:unique", "--dry-run")

    assert result.exit_code == 0, result.stderr
    assert snapshot(project) == before
    assert result.stdout.startswith("Would add resource category\n  create app/models/category.py")
    assert "+from app.api.routes import categories, items\n" in result.stdout
    assert "+    categories.router,\n" in result.stdout
    assert result.stdout.endswith("Dry run: nothing was written.\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["order"], "give at least one field"),
        (["order", "total:money"], "invalid field 'total:money': unknown type 'money'"),
        (["2orders", "name:str"], "invalid resource name '2orders'"),
        (["line", "order_id:ref:orders"], "(generate it first, or refer to one of: items)"),
        (
            ["node", "parent_id:ref:nodes"],
            "parent_id refers to nodes itself, so it must be optional",
        ),
        (["item", "name:str"], "resource 'item' already exists: app/models/item.py"),
        (["order", "name:str", "--owned"], "--owned needs users to own the rows"),
    ],
)
def test_bad_requests_fail_cleanly(
    invoke: Invoke, project: Path, args: list[str], message: str
) -> None:
    assert message in fail(invoke, project, *args)


def test_outside_a_project_it_says_so(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    stderr = fail(invoke, tmp_path, "order", "name:str")

    assert f"not inside a fastgen project: no .fastgen.json in {tmp_path}" in stderr


def test_a_project_of_fastgen_0_1_says_it_kept_no_record(invoke: Invoke, project: Path) -> None:
    (project / ".fastgen.json").unlink()

    stderr = fail(invoke, project, "order", "name:str")

    assert "was made by fastgen 0.1, which kept no .fastgen.json" in stderr


def test_several_migration_heads_are_refused(invoke: Invoke, project: Path) -> None:
    (project / "migrations/versions/0002_branch.py").write_text(
        'revision = "0002"\ndown_revision = None\n'
    )

    assert "the migrations have several heads (0001, 0002)" in fail(invoke, project, "a", "b:int")


def test_a_registry_in_an_unexpected_shape_is_refused(invoke: Invoke, project: Path) -> None:
    (project / "app/api/router.py").write_text("ROUTERS = list_routers()\n")

    assert "ROUTERS is not a tuple or list" in fail(invoke, project, "order", "name:str")


def test_a_failure_while_writing_restores_every_file(
    invoke: Invoke, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = _files._replace
    calls = []

    def fail_on_the_third_edit(target: Path, content: str) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(target))
        real_replace(target, content)

    monkeypatch.setattr(_files, "_replace", fail_on_the_third_edit)

    stderr = fail(invoke, project, "order", "customer:str")

    assert stderr == "error: No space left on device: " + str(project / "tests/factories.py") + "\n"


def test_memory_projects_need_no_registration_of_a_table(
    invoke: Invoke, templates: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "shop"
    shutil.copytree(templates["none"], project)
    store = (project / "app/db/memory.py").read_text()
    monkeypatch.chdir(project / "app")

    result = invoke("generate", "resource", "person", "name:str", "--plural", "persons")

    assert result.exit_code == 0, result.stderr
    assert (project / "app/db/memory.py").read_text() == store  # tables are made on use
    assert (project / "app/crud/persons.py").is_file()
    assert not (project / "migrations").exists()
    assert "alembic" not in result.stdout


def test_a_resource_named_like_a_module_of_the_project_is_refused(
    invoke: Invoke, project: Path
) -> None:
    assert fail(invoke, project, "error", "code:int") == (
        "error: resource 'error' would replace app/services/errors.py (nothing was changed; "
        "choose another name, or another plural with --plural)\n"
    )


def test_a_file_that_is_not_utf8_is_refused(invoke: Invoke, project: Path) -> None:
    (project / "app/api/routes/legacy.py").write_bytes(b"# caf\xe9\n")

    assert "app/api/routes/legacy.py is not UTF-8 text" in fail(invoke, project, "a", "b:int")


class TestNothingLeftBehind:
    """A refused or killed generation leaves no litter, and links stay links."""

    def test_a_refused_write_leaves_no_temporary_file(self, invoke: Invoke, project: Path) -> None:
        with immutable(project / "app/api/router.py"):
            stderr = fail(invoke, project, "order", "name:str")

        assert "Operation not permitted" in stderr
        assert not list(project.rglob("*.tmp"))

    def test_a_registry_linked_within_the_project_stays_a_link_to_the_edited_file(
        self, invoke: Invoke, project: Path
    ) -> None:
        router = project / "app/api/router.py"
        shared = project / "app/api/shared_router.py"
        shutil.move(router, shared)
        router.symlink_to("shared_router.py")

        result = invoke("generate", "resource", "order", "name:str")

        assert result.exit_code == 0, result.stderr
        assert router.is_symlink()
        assert "orders.router," in shared.read_text()

    def test_a_registry_linked_outside_the_project_is_never_written_through(
        self, invoke: Invoke, project: Path, tmp_path: Path
    ) -> None:
        router = project / "app/api/router.py"
        outside = tmp_path / "outside_router.py"
        shutil.move(router, outside)
        router.symlink_to(outside)
        before, outside_before = snapshot(project), outside.read_text()

        stderr = fail(invoke, project, "order", "name:str")

        assert "app/api/router.py leads outside the project" in stderr
        assert outside.read_text() == outside_before
        assert snapshot(project) == before

    def test_a_generation_killed_while_formatting_leaves_the_project_as_it_was(
        self, project: Path, tmp_path: Path
    ) -> None:
        slow_ruff = tmp_path / "ruff"
        slow_ruff.write_text("#!/bin/sh\nsleep 30\n")
        slow_ruff.chmod(0o755)
        scratch = tmp_path / "tmp"
        scratch.mkdir()
        before = snapshot(project)
        program = (
            "import fastgen._format as f, os; f._ruff_binary = lambda: os.environ['RUFF'];"
            "from fastgen import main; main()"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", program, "generate", "resource", "order", "name:str"],
            cwd=project,
            env=clean_env(TMPDIR=str(scratch), RUFF=str(slow_ruff)),
        )
        try:
            assert wait_for(lambda: list(scratch.glob("fastgen-format-*"))), "never formatted"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()

        assert snapshot(project) == before

    def test_an_invalid_line_length_setting_is_one_clear_error(
        self, invoke: Invoke, project: Path
    ) -> None:
        pyproject = project / "pyproject.toml"
        settings = pyproject.read_text().replace(
            "[tool.ruff]\n", '[tool.ruff]\nline-length = "wide"\n'
        )
        pyproject.write_text(settings)

        stderr = fail(invoke, project, "order", "name:str")

        assert "[tool.ruff] line-length is 'wide', not a whole number" in stderr


def test_owned_resources_are_recorded_and_scoped_by_their_repository(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = ProjectRequest(
        name=parse_project_name("shop"),
        destination=tmp_path / "shop",
        answers={"auth": "jwt"},
        git=False,
    )
    root = create_project(request).path
    monkeypatch.chdir(root)

    result = invoke("generate", "resource", "note", "body:text", "item_id:ref:items", "--owned")
    invoke("generate", "resource", "tag", "label:str", "note_id:ref:notes")

    assert result.exit_code == 0, result.stderr
    resources = json.loads((root / ".fastgen.json").read_text())["resources"]
    assert [r.get("owned", False) for r in resources] == [True, True, False]  # item, note, tag
    repository = (root / "app/crud/notes.py").read_text()
    assert "def __init__(self, session: AsyncSession, viewer: User)" in repository
    deps = (root / "app/api/deps.py").read_text()
    assert "TagRepository(session), NoteRepository(session, user)" in " ".join(deps.split())
    assert "owner_id names the owner of each row" in fail(
        invoke, root, "memo", "owner_id:int", "--owned"
    )
