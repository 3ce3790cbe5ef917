"""What ships a generated project, checked as far as a machine without a container engine
allows: the compose file against the Compose specification, the CI workflow against
SchemaStore's schema of GitHub workflows, the Kubernetes overlays built
by kustomize and validated, uv's lock and locked sync, and the Dockerfile's build steps
replayed into a clean folder that then migrates and serves.

Not checked here: building or running an image (no engine), pulling the base images.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import VARIANTS, Generate, served_database, variant_environment
from tests.e2e.test_serving import serving
from tests.helpers import clean_env, run

pytestmark = pytest.mark.e2e

UV = str(Path(sys.executable).parent / "uv")
KUBERNETES = [name for name, variant in VARIANTS.items() if variant.answers.get("kubernetes")]
LAMBDA = [name for name, variant in VARIANTS.items() if variant.answers.get("serverless")]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_compose_file_is_valid_and_waits_for_what_it_needs(
    generated: Generate, variant: str
) -> None:
    from compose_spec import PyCompose

    project = generated(variant)
    text = (project / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)  # with the `<<` merges done, as Compose does them

    # compose_spec does not know Docker's special `host-gateway` address.
    checked = json.dumps(compose).replace(":host-gateway", ":172.17.0.1")
    PyCompose.from_json(checked)  # raises ValueError on what the specification refuses
    services: dict[str, Any] = compose["services"]
    for name, service in services.items():
        for needed, condition in service.get("depends_on", {}).items():
            assert needed in services, f"{name} depends on a missing service {needed}"
            target = services[needed]
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in target or "build" in target, f"{needed} has no check"
            if condition["condition"] == "service_completed_successfully":
                assert "command" in target, f"{needed} is not a one-shot command"
    answers = VARIANTS[variant].answers
    assert ("migrate" in services) is (answers["database"] != "none")
    assert ("worker" in services) is (answers.get("jobs") == "redis")
    migrated = services["app"].get("depends_on", {}).get("migrate", {}).get("condition")
    assert migrated == (None if answers["database"] == "none" else "service_completed_successfully")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_ci_workflow_and_the_compose_file_match_their_published_schemas(
    generated: Generate, variant: str
) -> None:
    """The JSON schemas of SchemaStore (GitHub workflows) and of the Compose
    specification, as check-jsonschema ships them: read offline, with YAML merges."""
    project = generated(variant)
    check = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]

    run([*check, "vendor.github-workflows", ".github/workflows/ci.yml"], cwd=project)
    run([*check, "vendor.compose-spec", "docker-compose.yml"], cwd=project)


@pytest.mark.parametrize("variant", KUBERNETES)
def test_each_overlay_builds_into_valid_kubernetes_manifests(
    generated: Generate, variant: str
) -> None:
    import kubernetes_validate  # type: ignore[import-untyped]

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        message = "kubectl is not installed: it builds the Kustomize overlays"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    overlays = generated(variant) / "deploy" / "kubernetes" / "overlays"
    version = kubernetes_validate.latest_version()

    for overlay in sorted(overlays.iterdir()):
        built = run([kubectl, "kustomize", str(overlay)], overlay).stdout
        objects = list(yaml.safe_load_all(built))

        for manifest in objects:
            kubernetes_validate.validate(manifest, version, strict=True)
        kinds = sorted(manifest["kind"] for manifest in objects)
        assert kinds[:4] == ["ConfigMap", "Deployment", "Deployment", "HorizontalPodAutoscaler"]
        assert {manifest["metadata"]["namespace"] for manifest in objects} == {
            "shop" if overlay.name == "production" else f"shop-{overlay.name}"
        }


@pytest.mark.parametrize("variant", [LAMBDA[0], KUBERNETES[0]])
def test_uv_locks_syncs_and_runs_the_projects_own_tests_and_hooks(
    generated: Generate, variant: str, tmp_path: Path
) -> None:
    project = tmp_path / "shop"
    shutil.copytree(generated(variant), project)
    env = variant_environment(variant) | {"UV_PYTHON_DOWNLOADS": "never"}

    run([UV, "lock", "--quiet", "--python", sys.executable], project, env=env)
    run([UV, "sync", "--locked", "--quiet", "--python", sys.executable], project, env=env)
    pytest_args = ["pytest", "-q", "-p", "no:cacheprovider"]
    output = run([UV, "run", "--locked", *pytest_args], project, env=env)

    assert " passed" in output.stdout
    assert "skipped" not in output.stdout
    # The pre-commit hooks run the locked tools through uv, on a repository as users have.
    run(["git", "init", "--quiet"], project, env=env)
    run(["git", "add", "--all"], project, env=env)
    on_path = env | {"PATH": f"{Path(UV).parent}:{env['PATH']}"}  # uv, as users have it
    hooks = run([str(Path(UV).parent / "pre-commit"), "run", "--all-files"], project, env=on_path)
    assert {"ruff check", "ruff format", "mypy"} <= {
        line.split("...")[0].strip() for line in hooks.stdout.splitlines() if "Passed" in line
    }


def test_the_dockerfile_build_replays_into_a_folder_that_migrates_and_serves(
    generated: Generate, project_python: Path, tmp_path: Path
) -> None:
    """Stage one (uv sync --locked --no-dev: the dependencies, then the project), then
    stage two: the environment, the code and the migrations; no dev tools."""
    variant = LAMBDA[0]
    source = generated(variant)
    dockerfile = (source / "Dockerfile").read_text()
    assert "uv sync --locked --no-dev --no-install-project\n" in dockerfile  # replayed below
    assert "uv sync --locked --no-dev\n" in dockerfile
    final = tmp_path / "srv"  # the WORKDIR of both stages
    final.mkdir()
    env = clean_env(UV_PYTHON_DOWNLOADS="never")
    sync = [UV, "sync", "--locked", "--no-dev", "--quiet", "--python", sys.executable]
    shutil.copy(source / "pyproject.toml", final)
    run([UV, "lock", "--quiet", "--python", sys.executable], final, env=env)  # `uv lock`

    run([*sync, "--no-install-project"], final, env=env)
    shutil.copy(source / "README.md", final)
    shutil.copytree(source / "app", final / "app")
    run(sync, final, env=env)
    for built_only in ("pyproject.toml", "uv.lock", "README.md"):  # not in stage two
        (final / built_only).unlink()
    shutil.copy(source / "alembic.ini", final)
    shutil.copytree(source / "migrations", final / "migrations")
    shutil.copy(source / "Dockerfile", final)  # where `serving` reads uvicorn's options

    python = final / ".venv" / "bin" / "python"
    assert subprocess.run([python, "-c", "import pytest"], check=False).returncode != 0
    with served_database(variant, project_python, tmp_path) as database_url:
        served = variant_environment(variant) | {"DATABASE_URL": database_url}
        run([str(final / ".venv" / "bin" / "alembic"), "upgrade", "head"], final, env=served)
        with serving(python, final, served, tmp_path / "uvicorn.log") as server:
            status, item = server.request("POST", "/api/v1/items", {"name": "lamp"})
            assert status == 201
            assert server.request("GET", f"/api/v1/items/{item['id']}") == (200, item)
