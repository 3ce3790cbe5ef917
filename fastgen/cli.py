"""The `fastgen` command: parses, prompts, calls `fastgen.api`, prints. The only module that exits.

Heavy modules (copier, rich) are imported inside the commands so that `--help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import typer.core

from fastgen import __version__
from fastgen.errors import FastgenError, InvalidAnswerError, Terminated, describe_os_error

if TYPE_CHECKING:
    from collections.abc import Mapping

    from fastgen._verify import Verified
    from fastgen.api import CreatedProject, GeneratedResource, ProjectRequest
    from fastgen.template import Question, Template

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM
_interrupt_reported = False  # whether a command already said what Ctrl-C left behind


class _Argument(typer.core.TyperArgument):
    """An argument shown by its name alone: `NAME`, not `{NAME}` or `NAME <str>`."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        return name if self.required else f"[{name}]"

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class _Command(typer.core.TyperCommand):
    """A command whose arguments show clean names in its usage line and help."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        for param in params:
            if type(param) is typer.core.TyperArgument:
                param.__class__ = _Argument
        return params


def _choices_of(question: str) -> Callable[[str], list[str]]:
    """Shell completion of a question's choices, read from the template when asked."""

    def complete(incomplete: str) -> list[str]:
        from fastgen.template import load_questions

        choices = load_questions()[question].choices
        return [choice for choice in choices if choice.startswith(incomplete)]

    return complete


def _complete_preset(incomplete: str) -> list[str]:
    from fastgen.template import load_template

    return [name for name in load_template().presets if name.startswith(incomplete)]


def _complete_matrix(incomplete: str) -> list[str]:
    return [name for name in ("all", "pairwise", "presets") if name.startswith(incomplete)]


app = typer.Typer(
    name="fastgen",
    help="Scaffold layered, tested, typed FastAPI projects.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


generate_app = typer.Typer(
    name="generate",
    help="Add code to an existing project.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(generate_app)

verify_app = typer.Typer(
    name="verify",
    invoke_without_command=True,
    rich_markup_mode=None,
    subcommand_metavar="[merge FILE...]",
)
app.add_typer(verify_app)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"fastgen {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Scaffold layered, tested, typed FastAPI projects."""


@app.command(cls=_Command)
def new(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME",
            help="Project name: folder, distribution, API title (asked in a terminal).",
            show_default=False,
        ),
    ] = None,
    destination: Annotated[
        Path | None,
        typer.Argument(
            metavar="DEST", help="Folder to create [default: ./NAME].", show_default=False
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            metavar="CHOICE",
            help="sqlite (default), postgresql, mysql or none.",
            autocompletion=_choices_of("database"),
        ),
    ] = None,
    description: Annotated[
        str | None, typer.Option(metavar="TEXT", help="One-line description of the project.")
    ] = None,
    author: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Author name for pyproject.toml.")
    ] = None,
    python: Annotated[
        str | None,
        typer.Option(
            metavar="VERSION",
            help="Python for Docker and CI: 3.11, 3.12 (default), 3.13.",
            autocompletion=_choices_of("python_version"),
        ),
    ] = None,
    auth: Annotated[
        str | None,
        typer.Option(
            metavar="CHOICE",
            help="Who may call the API: none (default) or jwt (users, passwords, tokens).",
            autocompletion=_choices_of("auth"),
        ),
    ] = None,
    websocket: Annotated[
        bool | None,
        typer.Option(
            "--websocket/--no-websocket", help="Real-time WebSockets at /ws.", show_default=False
        ),
    ] = None,
    broadcast: Annotated[
        str | None,
        typer.Option(
            metavar="CHOICE",
            help="WebSocket broadcasts: memory (default, one process) or redis.",
            autocompletion=_choices_of("broadcast_backend"),
        ),
    ] = None,
    jobs: Annotated[
        str | None,
        typer.Option(
            metavar="CHOICE",
            help="Background jobs: none (default) or redis (a worker, retries, a schedule).",
            autocompletion=_choices_of("jobs"),
        ),
    ] = None,
    metrics: Annotated[
        bool | None,
        typer.Option(
            "--metrics/--no-metrics", help="Prometheus metrics at /metrics.", show_default=False
        ),
    ] = None,
    tracing: Annotated[
        bool | None,
        typer.Option(
            "--tracing/--no-tracing",
            help="OpenTelemetry traces sent over OTLP.",
            show_default=False,
        ),
    ] = None,
    kubernetes: Annotated[
        bool | None,
        typer.Option(
            "--kubernetes/--no-kubernetes",
            help="Kubernetes manifests: Kustomize base and overlays.",
            show_default=False,
        ),
    ] = None,
    serverless: Annotated[
        str | None,
        typer.Option(
            metavar="CHOICE",
            help="Serverless platform: none (default) or aws-lambda (a Mangum handler).",
            autocompletion=_choices_of("serverless"),
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", metavar="KEY=VALUE", help="Answer any question; repeatable."),
    ] = None,
    answers_file: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="YAML file of answers (question: answer)."),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="A named set of answers (see `fastgen presets`).",
            autocompletion=_complete_preset,
        ),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            metavar="SOURCE",
            help="Template folder or git repository, @REF for a version [default: fastgen's].",
        ),
    ] = None,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust", help="Let the template run code (Copier tasks, extensions; --install)."
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Take the default of every unanswered question."),
    ] = False,
    git: Annotated[
        bool, typer.Option(help="Start a git repository with one initial commit.")
    ] = True,
    install: Annotated[
        bool,
        typer.Option(
            "--install", help="Create .venv and install the project (uv if found, else pip)."
        ),
    ] = False,
    into_existing: Annotated[
        bool,
        typer.Option(
            "--into-existing",
            help="Allow a non-empty DEST; no file is ever overwritten (a clash aborts).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print a file count, not the tree.")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the result as JSON on stdout (messages on stderr)."),
    ] = False,
) -> None:
    """Generate a new FastAPI project.

    Answers, later ones winning: the template's defaults, --preset, the defaults of
    your configuration file, --answers-file, --data, then the named flags. Questions
    still unanswered are asked when the terminal is interactive; otherwise (or with
    --yes) their defaults are used.
    """
    named = {
        "database": database,
        "description": description,
        "author_name": author,
        "python_version": python,
        "auth": auth,
        "websocket": websocket,
        "broadcast_backend": broadcast,
        "jobs": jobs,
        "metrics": metrics,
        "tracing": tracing,
        "kubernetes": kubernetes,
        "serverless": serverless,
    }
    interactive = not yes and sys.stdin.isatty()
    if name is None:
        if not interactive:
            _fail(InvalidAnswerError("missing NAME", hint="fastgen new NAME [DEST]"))
        with _user_errors(lambda: "nothing was written"):
            from fastgen import _wizard

            name = _wizard.ask_name(_wizard.Terminal())
    target = destination or Path(name)
    with _user_errors(lambda: _project_state(target, dry_run=dry_run)):
        from fastgen import _config
        from fastgen.api import ProjectRequest
        from fastgen.names import parse_project_name

        project_name = parse_project_name(name)
        config = _config.load()
        project = _create(
            ProjectRequest(
                name=project_name,
                destination=target,
                answers=_collect_answers(data or [], named),
                answers_file=answers_file,
                preset=preset,
                defaults=config.defaults,
                template=template or config.template,
                trust=config.trusting(everything=trust),
                ask=_ask_in_terminal if interactive else None,
                git=git,
                install=install,
                into_existing=into_existing,
                dry_run=dry_run,
            )
        )
        _report(project, quiet=quiet, as_json=as_json)


@generate_app.command("resource", cls=_Command)
def generate_resource(
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="Singular resource name: order, order_line, person."),
    ],
    fields: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FIELD...",
            help=(
                "name:type[:arg][:unique][?][=default]. Types: str[:length], text, "
                "int[:min..max], float, decimal[:precision,scale], bool, date, datetime, "
                "uuid, json, email, url, enum:a|b|c, ref:<table>. '?' makes a field optional."
            ),
            show_default=False,
        ),
    ] = None,
    plural: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Plural, where the inflection rules get it wrong."),
    ] = None,
    owned: Annotated[
        bool,
        typer.Option(
            "--owned",
            help="Each row belongs to the user who made it: others get 404, admins see all "
            "(needs auth).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be created and changed.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON on stdout.")
    ] = False,
    trust: Annotated[
        bool,
        typer.Option("--trust", help="Trust the team template the project's record names."),
    ] = False,
) -> None:
    """Add a resource through every layer: model, schemas, repository, service, routes,
    tests and migration, registered with the app. Run it inside a generated project.
    """
    start = Path.cwd()
    with _user_errors(lambda: _resource_state(start, name, dry_run=dry_run)):
        from fastgen import _config
        from fastgen.api import ResourceRequest
        from fastgen.api import generate_resource as generate
        from fastgen.fields import parse_fields
        from fastgen.names import parse_resource_name

        result = generate(
            ResourceRequest(
                name=parse_resource_name(name, plural),
                fields=parse_fields(fields or []),
                start=start,
                dry_run=dry_run,
                owned=owned,
                trust=_config.load().trusting(everything=trust),
            )
        )
        _report_resource(result, as_json=as_json)


@app.command(cls=_Command)
def update(
    to: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="VERSION", help="Template version to reach [default: the newest]."
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Change an answer, e.g. websocket=true to add a module; repeatable.",
        ),
    ] = None,
    resource: Annotated[
        list[str] | None,
        typer.Option(
            "--resource",
            metavar="'NAME FIELD...'",
            help="Only for projects of template 0.1.0, which kept no record of them: a "
            "resource the project added, as given to `generate resource`; repeatable.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the changes as a diff; write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
    resume: Annotated[
        bool,
        typer.Option("--continue", help="Finish an update once its conflicts are resolved."),
    ] = False,
    abort: Annotated[
        bool, typer.Option("--abort", help="Undo an update that stopped at conflicts.")
    ] = False,
    trust: Annotated[
        bool,
        typer.Option("--trust", help="Trust the project's template: its source, and its code."),
    ] = False,
) -> None:
    """Bring the project to a newer template, or change its answers (add a module).

    Renders the project as it was made and as the template makes it now, with the same
    resources, and merges the difference: your edits are kept, the template's changes
    applied. Conflicts get markers and exit 1; the record then waits for --continue.
    Run it inside a project under git with nothing uncommitted.
    """
    start = Path.cwd()
    with _user_errors(lambda: "every file was updated or none was (see git status)"):
        from fastgen import _config, _output, api

        if resume or abort:
            if resume and abort:
                raise InvalidAnswerError("give --continue or --abort, not both")
            if abort:
                _output.print_aborted(api.abort_update(start), as_json=as_json)
                return
            _output.print_updated(api.continue_update(start), as_json=as_json)
            return
        updated = api.update_project(
            api.UpdateRequest(
                start=start,
                to=to,
                answers=_collect_answers(data or [], {}),
                legacy_resources=tuple(resource or ()),
                dry_run=dry_run,
                trust=_config.load().trusting(everything=trust),
            )
        )
        _output.print_updated(updated, as_json=as_json)
    if updated.conflicts:
        raise typer.Exit(1)


@app.command(cls=_Command)
def check(
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
    trust: Annotated[
        bool,
        typer.Option("--trust", help="Trust the project's template: its source, and its code."),
    ] = False,
) -> None:
    """Is the project on the newest template, with its rendered files as rendered?

    Exit 0: yes. Exit 2: an update is available. Exit 3: rendered files were changed
    (each listed, with the lines added and removed); 3 wins when both hold.
    """
    start = Path.cwd()
    with _user_errors(lambda: "nothing was changed"):
        from fastgen import _config, _output, api

        checked = api.check_project(start, trust=_config.load().trusting(everything=trust))
        _output.print_checked(checked, as_json=as_json)
    if checked.drifted:
        raise typer.Exit(3)
    if checked.update_available:
        raise typer.Exit(2)


@app.command(cls=_Command)
def presets(
    template: Annotated[
        str | None,
        typer.Option(
            metavar="SOURCE", help="Template folder or git repository [default: fastgen's]."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON.")] = False,
) -> None:
    """List the presets a template offers, each with the answers it sets."""
    with _user_errors(lambda: "nothing was changed"):
        from fastgen import _config, _output, _sources
        from fastgen.template import load_template

        source = _sources.resolve(template or _config.load().template)
        _output.print_presets(load_template(source.path), as_json=as_json)


@verify_app.callback()
def verify(
    context: typer.Context,
    template: Annotated[
        str | None,
        typer.Option(
            metavar="SOURCE", help="Template folder or git repository, @REF for a version."
        ),
    ] = None,
    trust: Annotated[
        bool,
        typer.Option("--trust", help="Let the template run code: its projects' checks, tasks."),
    ] = False,
    matrix: Annotated[
        str,
        typer.Option(
            metavar="all|pairwise|presets",
            help="Which combinations of answers.",
            autocompletion=_complete_matrix,
        ),
    ] = "pairwise",
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", metavar="KEY=VALUE", help="Pin an answer; repeatable."),
    ] = None,
    server: Annotated[
        list[str] | None,
        typer.Option(metavar="NAME=URL", help="Where a server the checks need is; repeatable."),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", metavar="N", help="Projects checked at once.")
    ] = 1,
    upgrade: Annotated[
        bool,
        typer.Option(help="Also update each combination from the template's previous version."),
    ] = True,
    json_file: Annotated[
        Path | None,
        typer.Option(
            "--json", metavar="FILE", help="Write the results (with --list: the list) as JSON."
        ),
    ] = None,
    junit_file: Annotated[
        Path | None, typer.Option("--junit", metavar="FILE", help="Write them as JUnit XML.")
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Leave the projects in DIR (a new or empty folder)."),
    ] = None,
    list_only: Annotated[
        bool,
        typer.Option("--list", help="List the combinations (id, answers, cost); render nothing."),
    ] = False,
    shard: Annotated[
        str | None,
        typer.Option(metavar="K/N", help="Check the K-th of N parts of the matrix only."),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(metavar="ID", help="Check only this combination (see --list); repeatable."),
    ] = None,
) -> None:
    """Prove a template: render each combination of its answers, add a resource of every
    field type, install, and run the checks its fastgen.yml declares (for fastgen's own:
    pytest, ruff check, ruff format --check, mypy --strict) against real servers.

    Exit 1 names each failing combination and check. A combination whose server is down
    is skipped with the reason (failed where CI is set). Split across CI runners with
    --shard K/N (or --only ID), then `fastgen verify merge` the JSON reports.
    """
    if context.invoked_subcommand:
        return
    with _user_errors(lambda: "nothing was changed"):
        from fastgen import _config, _shards, _verify, _verify_report

        request = _verify.VerifyRequest(
            template=template,
            trust=_config.load().trusting(everything=trust),
            matrix=matrix,
            pinned=_collect_answers(data or [], {}),
            servers=_pairs(server or [], "--server", "NAME=URL"),
            jobs=jobs,
            upgrade=upgrade,
            keep=keep,
            selection=_shards.Selection(
                _shards.parse_shard(shard) if shard else None, tuple(only or ())
            ),
        )
        if list_only:
            _verify_report.list_plan(_verify.plan(request), request.selection, json_file)
            return
        verified = _verify.verify(request, on_progress=lambda line: typer.echo(line, err=True))
        _report_verified(verified, json_file=json_file, junit_file=junit_file)


@verify_app.command("merge", cls=_Command)
def verify_merge(
    reports: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="The JSON reports of the parts (--json FILE)."),
    ],
    json_file: Annotated[
        Path | None, typer.Option("--json", metavar="FILE", help="Write the merged results.")
    ] = None,
    junit_file: Annotated[
        Path | None, typer.Option("--junit", metavar="FILE", help="Write them as JUnit XML.")
    ] = None,
) -> None:
    """Merge the JSON reports of a verify run's shards (or --only parts) into one report
    and one exit status; refuses reports of different runs, or a part missing or twice."""
    with _user_errors(lambda: "nothing was changed"):
        from fastgen import _verify_report

        verified = _verify_report.merge(reports)
        _report_verified(verified, json_file=json_file, junit_file=junit_file)


def _report_verified(
    verified: Verified, *, json_file: Path | None, junit_file: Path | None
) -> None:
    """The table, the files asked for, and exit 1 naming each failed combination."""
    from fastgen import _verify_report

    _verify_report.print_table(verified)
    if json_file:
        _verify_report.write_json(verified, json_file)
    if junit_file:
        _verify_report.write_junit(verified, junit_file)
    if not verified.passed:
        for line in _verify_report.failures(verified):
            typer.echo(f"{typer.style('failed:', fg='red', bold=True)} {line}", err=True)
        raise typer.Exit(1)


def _pairs(items: list[str], option: str, shape: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, separator, value = item.partition("=")
        if not separator or not key.strip():
            raise InvalidAnswerError(f"{option} expects {shape}, got {item!r}")
        pairs[key.strip()] = value
    return pairs


def _report_resource(result: GeneratedResource, *, as_json: bool) -> None:
    from fastgen import _output

    if as_json:
        _output.print_json(_output.resource_json(result))
    else:
        _output.print_resource(result)


def _create(request: ProjectRequest) -> CreatedProject:
    from rich.console import Console

    from fastgen.api import create_project

    if request.ask:  # a spinner would draw over the questions
        return create_project(request)
    with Console(stderr=True).status("Generating") as status:
        return create_project(request, on_step=status.update)


def _collect_answers(data: list[str], named: dict[str, str | bool | None]) -> dict[str, Any]:
    """Merge the answers, later sources winning: --data, then the named flags."""
    answers: dict[str, Any] = _pairs(data, "--data", "KEY=VALUE")
    answers.update({key: value for key, value in named.items() if value is not None})
    return answers


def _report(project: CreatedProject, *, quiet: bool, as_json: bool) -> None:
    from fastgen import _output

    if as_json:
        _output.print_json(_output.created_json(project))
    else:
        _output.print_created(project, quiet=quiet)


def _ask_in_terminal(
    template: Template, questions: Mapping[str, Question], answers: dict[str, Any]
) -> dict[str, Any]:
    from fastgen import _wizard

    return _wizard.ask(template, questions, answers, _wizard.Terminal())


@contextmanager
def _user_errors(state_on_interrupt: Callable[[], str]) -> Iterator[None]:
    """Turn what the user can fix, and Ctrl-C, into one line on stderr and an exit code.

    On Ctrl-C, `state_on_interrupt` reads what the disk holds at that moment, so the line
    tells the truth however far the command had got.
    """
    try:
        yield
    except FastgenError as error:
        _fail(error)
    except OSError as error:
        _fail(FastgenError(describe_os_error(error)))
    except KeyboardInterrupt as interrupt:
        global _interrupt_reported
        _interrupt_reported = True
        if isinstance(interrupt, Terminated):
            typer.echo(f"terminated: {state_on_interrupt()}", err=True)
            raise typer.Exit(EXIT_TERMINATED) from None
        typer.echo(f"interrupted: {state_on_interrupt()}", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _project_state(destination: Path, *, dry_run: bool) -> str:
    from fastgen._record import RECORD_FILE

    if not dry_run and (destination / RECORD_FILE).is_file():
        return f"the project at {destination} was already complete, and is kept"
    return "nothing was written"


def _resource_state(start: Path, name: str, *, dry_run: bool) -> str:
    from fastgen._project import ProjectError, find_project

    try:
        recorded = {resource.name for resource in find_project(start).record.resources}
    except ProjectError:
        recorded = set()
    if not dry_run and name in recorded:
        return f"the resource {name!r} was already added, completely"
    return "nothing was changed"


def _fail(error: FastgenError) -> NoReturn:
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {error}", err=True)
    raise typer.Exit(error.exit_code) from None


def run() -> None:
    """Run the command line; Ctrl-C before a command began also gets its line."""
    try:
        app()
    except KeyboardInterrupt as interrupt:  # while Typer built the command line
        terminated = isinstance(interrupt, Terminated)
        typer.echo(
            f"{'terminated' if terminated else 'interrupted'}: nothing was changed", err=True
        )
        raise SystemExit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED) from None
    except SystemExit as exit_:
        # Typer ends an interrupted parse with status 130 and no word.
        if exit_.code == EXIT_INTERRUPTED and not _interrupt_reported:
            typer.echo("interrupted: nothing was changed", err=True)
        raise
