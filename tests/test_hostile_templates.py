"""A template is untrusted input, and so is a project's record: hostile ones, against
every command.

Each attack aims at the folder `outside/`, beside the destination: its payload would
create `outside/pwned` (every command runs there, so a relative `touch pwned` lands
there) or change `outside/canary.txt`. After each one: nothing executed, nothing outside
changed, one clear line on stderr, the right exit code, and no litter.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fastgen import _jinja
from fastgen.cli import app
from fastgen.template import BUNDLED_TEMPLATE
from tests.helpers import snapshot

IDENTITY = ["-c", "user.name=Team", "-c", "user.email=team@example.com"]
# Each reaches Python's `os` through a global Jinja offers, as a template author would.
PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.system('touch pwned') }}",
    "{{ self.__init__.__globals__.__builtins__['__import__']('os').system('touch pwned') }}",
    "{{ namespace.__init__.__globals__.os.system('touch pwned') }}",
    "{{ lipsum.__globals__['os'].system('touch pwned') }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch pwned') }}",
    "{% set x = ''.__class__.__mro__[1].__subclasses__() %}{{ x }}",
]


class World:
    """The destination's surroundings: the canary, where a payload's file would appear,
    and the user's (empty) configuration and cache."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outside = root / "outside"
        self.outside.mkdir()
        self.canary = self.outside / "canary.txt"
        self.canary.write_text("canary\n")
        self.config = root / "config.yml"
        self.config.write_text("{}\n")
        self.cache = root / "cache"

    @property
    def pwned(self) -> Path:
        return self.outside / "pwned"

    def state(self) -> dict[str, tuple[int, int, str]]:
        """Everything but the cache (a clone may be kept there) and what is inside the
        project (whose tests compare it themselves)."""
        return {
            path: entry
            for path, entry in snapshot(self.root).items()
            if not path.startswith(("cache", "projects/shop/")) and path != "projects"
        }

    def trust(self, *sources: str | Path) -> None:
        self.config.write_text(f"trust: {json.dumps([str(source) for source in sources])}\n")

    def fastgen(self, *arguments: str | Path, cwd: Path | None = None) -> tuple[int, str]:
        """Run fastgen in-process from `cwd` (default: outside/); return code and stderr."""
        previous = Path.cwd()
        os.chdir(cwd or self.outside)
        try:
            result = CliRunner().invoke(app, [str(argument) for argument in arguments])
        finally:
            os.chdir(previous)
        return result.exit_code, result.stderr

    def refused(self, *arguments: str | Path, says: str, cwd: Path | None = None) -> str:
        """Assert the command is refused with one line saying `says`, harmlessly, and
        (run in a project) with the project as it was."""
        before, project = self.state(), snapshot(cwd) if cwd else {}
        code, stderr = self.fastgen(*arguments, cwd=cwd)
        assert code == 1, stderr
        assert stderr.startswith("error: "), stderr
        assert stderr.count("\n") == 1, stderr
        assert says in stderr, stderr
        self.assert_harmless(before)
        assert not cwd or snapshot(cwd) == project, "a refused command changed the project"
        return stderr

    def assert_harmless(self, before: dict[str, tuple[int, int, str]]) -> None:
        assert not self.pwned.exists(), "the template ran code"
        assert self.canary.read_text() == "canary\n"
        litter = set(self.state()) ^ set(before)
        assert not litter, f"left behind: {sorted(litter)}"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("FASTGEN_CONFIG", str(tmp_path / "config.yml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "projects").mkdir()
    return World(tmp_path)


@pytest.fixture
def fork(tmp_path: Path) -> Path:
    """A copy of fastgen's template, as a team would start one."""
    fork = tmp_path / "fork"
    shutil.copytree(BUNDLED_TEMPLATE, fork, ignore=shutil.ignore_patterns("__pycache__"))
    return fork


def mini_template(root: Path, files: dict[str, str], **settings: str) -> Path:
    """The smallest fastgen template: a `description` question and `files` in project/."""
    template = root / "mini"
    (template / "project").mkdir(parents=True)
    extra = "".join(f"{key}: {value}\n" for key, value in settings.items())
    (template / "copier.yml").write_text(
        "_subdirectory: project\n_answers_file: .copier-answers.yml\n"
        "_envops: {keep_trailing_newline: true, undefined: jinja2.StrictUndefined}\n"
        f"{extra}project_name: {{type: str}}\ndescription: {{type: str, default: plain}}\n"
    )
    (template / "fastgen.yml").write_text("name: mini\nversion: 1.0.0\n")
    answers = template / "project/{{ _copier_conf.answers_file }}.jinja"
    answers.write_text("{{ _copier_answers | to_nice_yaml -}}\n")
    for name, content in files.items():
        path = template / "project" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return template


def git(folder: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *IDENTITY, *arguments], cwd=folder, check=True, capture_output=True, text=True
    ).stdout


def committed_project(world: World, *extra: str) -> Path:
    """A project of fastgen's own template, under git with all of it committed."""
    project = world.root / "projects/shop"
    code, stderr = world.fastgen("new", "shop", project, "--yes", *extra)
    assert code == 0, stderr
    return project


def edit_record(project: Path, **changes: object) -> None:
    record = json.loads((project / ".fastgen.json").read_text())
    record.update(changes)
    (project / ".fastgen.json").write_text(json.dumps(record, indent=2))
    git(project, "commit", "-q", "-am", "an edited record")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_runs_code_outside_the_sandbox(
    payload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus is real: rendered without the sandbox, each payload reaches Python."""
    import jinja2

    monkeypatch.chdir(tmp_path)
    try:
        jinja2.Environment().from_string(payload).render()  # noqa: S701
    except Exception:
        pytest.fail(f"{payload} failed without the sandbox")
    assert (tmp_path / "pwned").exists() or "__subclasses__" in payload


class TestTheSandbox:
    """Every Jinja string fastgen renders from a template is sandboxed."""

    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_a_project_file(self, world: World, fork: Path, payload: str) -> None:
        readme = fork / "project/README.md.jinja"
        readme.write_text(payload + readme.read_text())

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", fork,
            says="tried what the sandbox forbids",
        )  # fmt: skip

    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_a_resource_template(self, world: World, fork: Path, payload: str) -> None:
        model = fork / "resource/model.py.jinja"
        model.write_text(payload + model.read_text())

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", fork,
            says="resource/model.py.jinja tried what the sandbox forbids",
        )  # fmt: skip

    def test_a_resource_template_of_a_trusted_project(self, world: World, fork: Path) -> None:
        project = world.root / "projects/shop"
        assert world.fastgen("new", "shop", project, "--yes", "--template", fork)[0] == 0
        world.trust(fork)
        model = fork / "resource/model.py.jinja"
        model.write_text(PAYLOADS[0] + model.read_text())

        world.refused(
            "generate", "resource", "order", "title:str", cwd=project,
            says="resource/model.py.jinja tried what the sandbox forbids",
        )  # fmt: skip

    def test_a_path_part(self, world: World) -> None:
        template = mini_template(world.root, {PAYLOADS[0].replace("'", '"') + ".txt": ""})

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="tried what the sandbox forbids",
        )  # fmt: skip

    @pytest.mark.parametrize("key", ["default", "validator"])
    def test_a_question_default_or_validator(self, world: World, key: str) -> None:
        template = mini_template(world.root, {})
        question = {"type": "str", "default": "plain", key: PAYLOADS[0]}
        with (template / "copier.yml").open("a") as config:
            config.write(f"extra: {json.dumps(question)}\n")

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="tried what the sandbox forbids",
        )  # fmt: skip

    def test_the_wizard_renders_defaults_in_the_sandbox(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from fastgen import _wizard
        from fastgen.template import load_questions, load_template

        template = mini_template(world.root, {})
        with (template / "copier.yml").open("a") as config:
            config.write(f"extra: {{type: str, default: {json.dumps(PAYLOADS[0])}}}\n")
        monkeypatch.chdir(world.outside)

        with pytest.raises(_jinja.TemplateRefusedError, match="default of extra"):
            _wizard.ask(
                load_template(template),
                load_questions(template),
                {"project_name": "shop"},
                _wizard.Terminal(stdin=io.StringIO("\n\n\n"), stderr=io.StringIO()),
            )
        assert not world.pwned.exists()

    def test_verify_needs_trust_then_renders_validators_in_the_sandbox(self, world: World) -> None:
        template = mini_template(world.root, {})
        with (template / "fastgen.yml").open("a") as config:
            config.write("checks:\n  ran: touch pwned\n")
        with (template / "copier.yml").open("a") as config:
            choice = f"{{type: bool, default: false, validator: {json.dumps(PAYLOADS[0])}}}"
            config.write(f"extra: {choice}\n")

        world.refused("verify", "--template", template, says="is not trusted to run")
        world.refused(
            "verify", "--template", template, "--trust", says="tried what the sandbox forbids"
        )


class TestTheRecord:
    """A project's record is data: the template it names is used only if trusted."""

    COMMANDS = (
        ("generate", "resource", "order", "title:str"),
        ("update", "--dry-run"),
        ("update",),
        ("check",),
    )

    @pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
    def test_a_folder_it_names(self, world: World, fork: Path, command: tuple[str, ...]) -> None:
        project = committed_project(world)
        with (fork / "copier.yml").open("a") as config:
            config.write('\n_tasks:\n  - "touch pwned"\n')
        model = fork / "resource/model.py.jinja"
        model.write_text(PAYLOADS[0] + model.read_text())
        edit_record(project, template_source=str(fork))

        world.refused(*command, cwd=project, says=f"names the template {fork}, which you have not")

    @pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
    def test_a_repository_it_names_is_never_fetched(
        self, world: World, fork: Path, command: tuple[str, ...]
    ) -> None:
        project = committed_project(world)
        git(fork, "init", "-q", "-b", "main")
        git(fork, "add", "-A")
        git(fork, "commit", "-q", "-m", "hostile")
        commit = git(fork, "rev-parse", "HEAD").strip()
        edit_record(project, template_source=f"file://{fork}", template_commit=commit)

        world.refused(*command, cwd=project, says="which you have not trusted")
        assert not world.cache.exists(), "fastgen cloned the template the record names"

    def test_trusting_the_source_is_what_lets_it_through(self, world: World, fork: Path) -> None:
        project = committed_project(world)
        edit_record(project, template_source=str(fork))

        world.trust(fork)
        code, stderr = world.fastgen("generate", "resource", "order", "title:str", cwd=project)

        assert code == 0, stderr
        assert (project / "app/models/order.py").is_file()

    @pytest.mark.parametrize("commit", ["/etc", "../../outside", "HEAD", "a" * 39])
    def test_a_commit_must_be_a_commit_id(self, world: World, fork: Path, commit: str) -> None:
        project = committed_project(world)
        edit_record(project, template_source=str(fork), template_commit=commit)
        world.trust(fork)

        world.refused("check", cwd=project, says="is not a commit id")

    @pytest.mark.parametrize("path", ["../../outside/canary.txt", "/etc/passwd", "a/../../b"])
    def test_its_file_paths_stay_inside(self, world: World, path: str) -> None:
        project = committed_project(world)
        record = json.loads((project / ".fastgen.json").read_text())
        edit_record(project, files={**record["files"], path: "0" * 64})

        world.refused("check", cwd=project, says="is not a path inside the project")


class TestRenderedPaths:
    """Every rendered path stays inside the destination, whatever the template or answers."""

    @pytest.mark.parametrize(
        "name",
        [
            "{{ '..' }}/{{ '..' }}/outside/x.txt",
            "{{ '..%c..%coutside%cx' % (47, 47, 47) }}.txt",  # 47 is '/'
            "{{ '.' }}/{{ '..' }}/x.txt",
            "{{ '%ctmp%cx' % (47, 47) }}.txt",
            "a{{ '\\\\' }}..{{ '\\\\' }}x.txt",
        ],
    )
    def test_a_path_part_that_leaves(self, world: World, name: str) -> None:
        template = mini_template(world.root, {name: "escaped\n"})

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="which would leave the project",
        )  # fmt: skip

    def test_an_answer_that_leaves(self, world: World) -> None:
        template = mini_template(world.root, {"{{ description }}.txt": "escaped\n"})

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            "--data", "description=../../outside/x", says="which would leave the project",
        )  # fmt: skip

    @pytest.mark.parametrize("name", [".git/hooks/post-commit", "{{ '.GIT' }}/config"])
    @pytest.mark.parametrize("renderer", ["fastgen", "copier"])
    def test_gits_own_folder(self, world: World, name: str, renderer: str) -> None:
        hook = "#!/bin/sh\ntouch pwned\n"
        settings = {"_skip_if_exists": "[]"} if renderer == "copier" else {}  # not ours
        template = mini_template(world.root, {name: hook}, **settings)
        (template / "project" / name).chmod(0o755)
        trust = ["--trust"] if renderer == "copier" else []  # Copier renders trusted ones only

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template, *trust,
            says="renders into .git" if renderer == "fastgen" else "into git's own folder",
        )  # fmt: skip

    def test_the_subdirectory_leaves(self, world: World) -> None:
        template = mini_template(world.root, {}, _subdirectory="..")

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="_subdirectory leads outside the template",
        )  # fmt: skip

    def test_the_answers_file_leaves(self, world: World) -> None:
        template = mini_template(world.root, {}, _answers_file="../../outside/answers.yml")

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="which would leave the project",
        )  # fmt: skip

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        answer=st.one_of(
            st.sampled_from(["..", ".", "", "../x", "a/b", "/abs", "a\\b", ".git", "x/../.."]),
            st.text(st.sampled_from("./\\ax-"), max_size=8),
        ),
        nested=st.booleans(),
    )
    def test_any_answer_in_a_path_stays_inside(
        self, world: World, answer: str, nested: bool
    ) -> None:
        name = "{{ description }}/inner.txt" if nested else "{{ description }}.txt"
        template = mini_template(world.root, {name: "text\n"})
        destination = world.root / "projects/shop"
        shutil.rmtree(destination, ignore_errors=True)
        before = world.state()

        code, stderr = world.fastgen(
            "new", "shop", destination, "--yes", "--no-git", "--template", template,
            "--data", f"description={answer}",
        )  # fmt: skip

        if code == 0:
            real = destination.resolve()
            assert all(path.resolve().is_relative_to(real) for path in destination.rglob("*"))
            shutil.rmtree(destination)
        else:
            assert code == 1, stderr
            assert stderr.count("\n") == 1, stderr
            assert not destination.exists()
        world.assert_harmless(before)
        shutil.rmtree(template)


class TestLinks:
    """No write goes through a link out of the project; no template link leads out."""

    def test_a_templates_link_to_outside(self, world: World, fork: Path) -> None:
        (fork / "project/passwd.txt").symlink_to(world.canary)

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", fork,
            says=f"passwd.txt links to {world.canary}, which is outside the template",
        )  # fmt: skip

    @pytest.mark.parametrize("target", ["/etc/passwd", "../../../../outside/canary.txt"])
    def test_a_git_templates_link_to_outside(self, world: World, fork: Path, target: str) -> None:
        (fork / "project/passwd.txt").symlink_to(target)
        git(fork, "init", "-q", "-b", "main")
        git(fork, "add", "-A")
        git(fork, "commit", "-q", "-m", "a link out")
        git(fork, "tag", "v1.0.0")

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", fork,
            says="links to",
        )  # fmt: skip

    @pytest.mark.parametrize("linked", ["README.md", "app/main.py"])
    def test_update_never_writes_through_a_link(self, world: World, linked: str) -> None:
        project = committed_project(world)
        (project / linked).unlink()
        (project / linked).symlink_to(world.canary)
        git(project, "add", "-A")
        git(project, "commit", "-q", "-m", "a link out")

        world.refused(
            "update", "--data", "websocket=true", cwd=project,
            says=f"{linked} leads outside the project",
        )  # fmt: skip

    def test_check_never_reads_through_a_link(self, world: World) -> None:
        project = committed_project(world)
        (project / "README.md").unlink()
        (project / "README.md").symlink_to(world.canary)

        world.refused("check", cwd=project, says="README.md leads outside the project")


class TestGitLocations:
    @pytest.mark.parametrize(
        "location",
        ["--upload-pack=touch pwned", "-uupload-pack", "ssh://-oProxyCommand=touch pwned/x"],
    )
    def test_an_option_shaped_location_never_reaches_git_as_an_option(
        self, world: World, location: str
    ) -> None:
        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", f"--template={location}",
            says="",
        )  # fmt: skip
        shutil.rmtree(world.cache, ignore_errors=True)


class TestBounds:
    """A template that grows or loops without end is stopped, and leaves nothing."""

    def test_output_that_grows_without_end(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(_jinja, "TEXT_CHARS", 100_000)
        loop = "{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}"
        template = mini_template(world.root, {"big.txt.jinja": loop})

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="big.txt.jinja renders more than",
        )  # fmt: skip

    def test_a_loop_without_output(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(_jinja, "SECONDS", 0.5)
        loop = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
        template = mini_template(world.root, {"slow.txt.jinja": loop})

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="took more than 0.5 s to render",
        )  # fmt: skip

    @pytest.mark.parametrize(
        "expression",
        ["'x' * 10**9", "'%999999999s' % 'x'", "'x'.center(10**9)", "'x' | center(10**9)"],
    )
    def test_one_huge_value(self, world: World, expression: str) -> None:
        template = mini_template(world.root, {"big.txt.jinja": f"{{{{ {expression} }}}}"})

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="computes a value of over",
        )  # fmt: skip

    def test_sigterm_cleans_up_as_ctrl_c_does(self, world: World) -> None:
        loop = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
        template = mini_template(world.root, {"slow.txt.jinja": loop})
        process = subprocess.Popen(
            [sys.executable, "-m", "fastgen", "new", "shop", "--yes", "--template", template],
            cwd=world.root / "projects",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not any(world.root.glob("projects/.shop.*")):  # rendering has begun
            assert time.monotonic() < deadline, "fastgen never began rendering"
            assert process.poll() is None, process.communicate()
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)

        assert process.returncode == 143, stderr
        assert stderr == "terminated: nothing was written\n"
        assert list((world.root / "projects").iterdir()) == []


def test_a_pending_update_holds_back_other_writing_commands(world: World) -> None:
    project = committed_project(world)
    git_folder = Path(git(project, "rev-parse", "--absolute-git-dir").strip())
    pending = {"from": "0.8.0", "to": "0.8.0", "record": "", "conflicts": ["app/main.py"]}
    (git_folder / "fastgen-update.json").write_text(json.dumps(pending | {"created": []}))

    world.refused(
        "generate", "resource", "order", "title:str", cwd=project,
        says="an update with conflicts is under way",
    )  # fmt: skip


class TestTheRecordAsAPath:
    """What a record holds is never a path fastgen runs or writes from."""

    def test_a_project_name_that_is_a_path(self, world: World) -> None:
        project = committed_project(world)
        payload = project / "evil/fastgen"
        payload.mkdir(parents=True)
        (payload / "__main__.py").write_text("")
        (payload / "__init__.py").write_text("import os\nos.system('touch pwned')\n")
        record = json.loads((project / ".fastgen.json").read_text())
        answers = {**record["answers"], "project_name": "/proc/self/cwd/evil/x"}
        del answers["auth"]  # the released 0.7.0, which renders the base, has no auth
        files = {**record["files"], "README.md": None}  # so that check renders
        git(project, "add", "-A")
        edit_record(project, template_version="0.7.0", answers=answers, files=files)

        for command in (("check",), ("update",)):
            world.refused(*command, cwd=project, says="'/proc/self/cwd/evil/x'")
            assert not (project / "evil/answers.yml").exists()
        assert not (project / "pwned").exists()

    @pytest.mark.parametrize(
        ("scheme", "up"),
        [("", ".."), ("file://", ".."), ("file://", "%2e%2e"), ("file://", ".%2E")],
    )
    def test_a_trusted_prefix_cannot_be_left_with_dot_dot(
        self, world: World, fork: Path, scheme: str, up: str
    ) -> None:
        project = committed_project(world)
        trusted = world.root / "trusted"
        trusted.mkdir()
        world.trust(f"{scheme}{trusted}/")
        edit_record(project, template_source=f"{scheme}{trusted}/{up}/fork")

        world.refused(
            "generate", "resource", "order", "title:str", cwd=project,
            says="which you have not trusted",
        )  # fmt: skip

    def test_a_record_linked_from_outside(self, world: World) -> None:
        project = committed_project(world)
        elsewhere = world.outside / "record.json"
        (project / ".fastgen.json").rename(elsewhere)
        (project / ".fastgen.json").symlink_to(elsewhere)

        for command in (("generate", "resource", "order", "title:str"), ("check",)):
            world.refused(*command, cwd=project, says=".fastgen.json leads outside the project")

    def test_a_pending_update_that_names_files_outside(self, world: World) -> None:
        repository = world.root / "projects/mono"
        repository.mkdir()
        git(repository, "init", "-q", "-b", "main")
        (repository / "outside.txt").write_text("committed\n")
        project = repository / "shop"
        assert world.fastgen("new", "shop", project, "--yes", "--no-git")[0] == 0
        git(repository, "add", "-A")
        git(repository, "commit", "-q", "-m", "a project in a repository")
        (repository / "outside.txt").write_text("the user's work\n")
        pending = {"from": "0.8.0", "to": "0.8.0", "record": "", "conflicts": []}
        state = repository / ".git/fastgen-update.json"
        state.write_text(json.dumps(pending | {"created": [], "restored": ["../outside.txt"]}))

        world.refused("update", "--abort", cwd=project, says="fastgen-update.json is damaged")
        assert (repository / "outside.txt").read_text() == "the user's work\n"

    @pytest.mark.parametrize(
        "content", ["not json", "[]", '{"from": "0.8.0"}', '{"created": "abc"}']
    )
    def test_a_damaged_pending_update(self, world: World, content: str) -> None:
        project = committed_project(world)
        (project / ".git/fastgen-update.json").write_text(content)

        world.refused("update", "--abort", cwd=project, says="fastgen-update.json is damaged")
        assert (project / "README.md").is_file()

    def test_a_bare_repository_inside_the_project_is_no_repository(self, world: World) -> None:
        """A project in a repository's subfolder, which holds a bare repository's files:
        git finding that one would run its configured fsmonitor."""
        repository = world.root / "projects/mono"
        repository.mkdir()
        git(repository, "init", "-q", "-b", "main")
        project = repository / "shop"
        assert world.fastgen("new", "shop", project, "--yes", "--no-git")[0] == 0
        for folder in ("objects", "refs/heads"):
            (project / folder).mkdir(parents=True)
            (project / folder / "keep").write_text("")
        (project / "HEAD").write_text("ref: refs/heads/main\n")
        (project / "config").write_text(
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
            '\tfsmonitor = "touch pwned; false"\n'
        )
        git(repository, "add", "-A")
        git(repository, "commit", "-q", "-m", "a project holding a bare repository's files")
        clone = world.root / "projects/clone"
        git(world.root / "projects", "clone", "-q", str(repository), str(clone))

        # git refuses a bare repository it was not pointed at (safe.bareRepository).
        world.refused("update", "--dry-run", cwd=clone / "shop", says="needs the project under git")
        assert not (clone / "shop/pwned").exists(), "git ran the project's fsmonitor"


class TestMoreBounds:
    def test_a_resource_template_that_loops(
        self, world: World, fork: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(_jinja, "SECONDS", 0.5)
        model = fork / "resource/model.py.jinja"
        loop = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
        model.write_text(loop + model.read_text())

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", fork,
            says="took more than 0.5 s to render",
        )  # fmt: skip

    def test_the_wizard_bounds_a_default_that_loops(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from fastgen import _wizard
        from fastgen.template import load_questions, load_template

        monkeypatch.setattr(_jinja, "SECONDS", 0.5)
        loop = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
        template = mini_template(world.root, {})
        with (template / "copier.yml").open("a") as config:
            config.write(f"extra: {{type: str, default: {json.dumps('{{ 1 }}' + loop)}}}\n")

        with pytest.raises(_jinja.TemplateRefusedError, match=r"took more than 0\.5 s"):
            _wizard.ask(
                load_template(template),
                load_questions(template),
                {"project_name": "shop"},
                _wizard.Terminal(stdin=io.StringIO("\n\n\n"), stderr=io.StringIO()),
            )

    def test_memory(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(_jinja, "MEMORY_BYTES", 256 * 2**20)
        doubling = (
            "{% set ns = namespace(s='x') %}{% for i in range(31) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}"
        )
        template = mini_template(world.root, {"big.txt.jinja": doubling})

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="needed more than 256 MiB of memory",
        )  # fmt: skip

    @pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
    def test_signals_wait_for_a_clean_up(self, signal_name: str) -> None:
        """In a process of its own, whose main thread handles signals as fastgen's does."""
        script = f"""
import os, signal, time
import fastgen
from fastgen._files import signals_held
signal.signal(signal.SIGTERM, fastgen._terminate)
try:
    with signals_held():
        os.kill(os.getpid(), signal.{signal_name})
        time.sleep(0.05)  # the signal has arrived, and waits
        print("cleaned up", flush=True)
except KeyboardInterrupt as interrupt:
    print("then", type(interrupt).__name__)
"""
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )

        landed = "KeyboardInterrupt" if signal_name == "SIGINT" else "Terminated"
        assert result.stdout == f"cleaned up\nthen {landed}\n", result.stderr


class TestTheMachine:
    """What reads the machine rendering a template (Copier's Ansible filters, Copier's
    own settings) is Copier's renderer's: trusted templates only."""

    @pytest.mark.parametrize(
        "expression",
        [
            "'$HOME' | expandvars",
            "'~' | expanduser",
            "'/etc/*' | fileglob",
            "'.' | realpath",
            "'.' | relpath('/')",
            "['$HOME'] | map('expand' ~ 'vars') | first",  # a name no scan of the text sees
        ],
    )
    def test_filters_that_read_the_machine_need_trust(self, world: World, expression: str) -> None:
        template = mini_template(world.root, {"leak.txt.jinja": f"{{{{ {expression} }}}}\n"})
        destination = world.root / "projects/shop"

        world.refused(
            "new", "shop", destination, "--yes", "--template", template,
            says="is not trusted to be rendered by Copier, for the ",
        )  # fmt: skip
        code, stderr = world.fastgen("new", "shop", destination, "--yes", "--template",
                                     template, "--trust")  # fmt: skip
        assert code == 0, stderr

    def test_a_template_only_copier_renders_needs_trust(self, world: World) -> None:
        template = mini_template(world.root, {"x.txt": "x\n"}, _skip_if_exists="[]")

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template,
            says="is not trusted to be rendered by Copier, for a copier.yml setting",
        )  # fmt: skip

    @pytest.mark.parametrize("extend", ["$XDG_CACHE_HOME/evil.toml", "${NOPE:-/dev/stdin}"])
    def test_ruff_settings_that_extend_through_a_variable(self, world: World, extend: str) -> None:
        project = committed_project(world)
        (project / "$XDG_CACHE_HOME").mkdir()  # a folder of that very name satisfies a
        (project / "$XDG_CACHE_HOME/evil.toml").write_text("")  # check of the text alone
        pyproject = project / "pyproject.toml"
        text = pyproject.read_text().replace("[tool.ruff]\n", f'[tool.ruff]\nextend = "{extend}"\n')
        pyproject.write_text(text)

        world.refused(
            "generate", "resource", "order", "title:str", cwd=project,
            says="fastgen formats only with settings whose files it can tell are inside",
        )  # fmt: skip

    def test_ruff_settings_that_extend_a_file_outside(self, world: World) -> None:
        project = committed_project(world)
        (world.outside / "ruff.toml").write_text('[format]\nquote-style = "single"\n')
        pyproject = project / "pyproject.toml"
        text = pyproject.read_text().replace(
            "[tool.ruff]\n", f'[tool.ruff]\nextend = "{world.outside / "ruff.toml"}"\n'
        )
        pyproject.write_text(text)

        world.refused(
            "generate", "resource", "order", "title:str", cwd=project,
            says="ruff.toml leads outside the project",
        )  # fmt: skip


class TestOneLine:
    """A broken template or project is one line, never a traceback."""

    # Copier leaves its directory walk (`copier._tools.scantree`) open when a file fails
    # to render; the warning comes when the walk is collected, after fastgen's one line.
    @pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
    @pytest.mark.parametrize(
        "content",
        [
            "{{ 2**100000 }}",
            "{{ x ",
            "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
            "{{ 1/0 }}",
            "{{ 2.0 ** 100000 }}",
            "{{ 'x' | regex_search('(') }}",
            "{{ '%c' % 1114112 }}",
        ],
    )
    def test_a_project_file_that_cannot_render(self, world: World, content: str) -> None:
        template = mini_template(world.root, {"bad.txt.jinja": content})

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", template, says=""
        )

    def test_a_resource_template_that_cannot_render(self, world: World, fork: Path) -> None:
        model = fork / "resource/model.py.jinja"
        model.write_text("{% if %}" + model.read_text())

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", fork,
            says="resource/model.py.jinja cannot be rendered",
        )  # fmt: skip

    def test_a_loop_of_links_in_a_template(self, world: World, fork: Path) -> None:
        (fork / "project/loop").symlink_to("loop")

        world.refused(
            "new", "shop", world.root / "projects/shop", "--yes", "--template", fork, says="loop"
        )

    @pytest.mark.parametrize("command", [("generate", "resource", "order", "a:int"), ("check",)])
    def test_a_loop_of_links_in_a_project(self, world: World, command: tuple[str, ...]) -> None:
        project = committed_project(world)
        (project / "app/api/router.py").unlink()
        (project / "app/api/router.py").symlink_to("router.py")

        world.refused(*command, cwd=project, says="loop of symbolic links")

    @pytest.mark.parametrize("content", ["[" * 200_000, "\udcff"])
    def test_a_record_too_deep_or_not_utf8(self, world: World, content: str) -> None:
        project = committed_project(world)
        (project / ".fastgen.json").write_bytes(content.encode("utf-8", errors="surrogateescape"))

        for command in (("generate", "resource", "order", "a:int"), ("check",)):
            world.refused(*command, cwd=project, says=".fastgen.json is damaged")

    def test_a_record_without_a_database(self, world: World) -> None:
        project = committed_project(world)
        record = json.loads((project / ".fastgen.json").read_text())
        del record["answers"]["database"]
        edit_record(project, answers=record["answers"])

        world.refused(
            "generate", "resource", "order", "a:int", cwd=project, says="no answer to `database`"
        )
