"""fastgen's benchmarks: each figure a median over repeated runs, with a ratio against a
baseline measured in the same run (these machines are shared and noisy).

Set up once with `bash bench/setup.sh`, then: `.bench-venv/bin/python bench/run.py`.
`--quick` runs every measurement briefly, to prove the suite works (not for the numbers).
Prints a table and writes bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

ROOT = Path(__file__).resolve().parents[1]
BASELINES = ROOT / "bench" / "baselines"
RESULTS = ROOT / "bench" / "results" / "latest.json"
BIN = Path(sys.executable).parent
FASTGEN = str(BIN / "fastgen")
PYTHON = str(BIN / "python")
POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
LARGEST = ["--database", "postgresql", "--websocket", "--broadcast", "redis", "--jobs",
           "redis", "--metrics", "--tracing", "--kubernetes"]  # fmt: skip
LARGEST_FLOOR = ["database=postgresql", "websocket=true", "broadcast_backend=redis",
                 "jobs=redis", "metrics=true", "tracing=true", "kubernetes=true"]  # fmt: skip


@dataclass
class Figure:
    """One measurement: its median, the baseline's median, and the target for the ratio."""

    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""
    details: dict[str, float] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


@dataclass
class Settings:
    runs: int
    wrk_seconds: int
    wrk_rounds: int
    websocket_clients: int
    websocket_publishes: int
    websocket_cycles: int
    time_to_green_with_pip: bool
    verify_pairwise: bool  # minutes: the whole pairwise array, each also upgraded


FULL = Settings(
    runs=10, wrk_seconds=5, wrk_rounds=3, websocket_clients=1000, websocket_publishes=30,
    websocket_cycles=10_000, time_to_green_with_pip=True, verify_pairwise=True,
)  # fmt: skip
QUICK = Settings(
    runs=2, wrk_seconds=1, wrk_rounds=1, websocket_clients=50, websocket_publishes=3,
    websocket_cycles=200, time_to_green_with_pip=False, verify_pairwise=False,
)  # fmt: skip


# --- tools -------------------------------------------------------------------------------


# Commands are timed as users run them, with Python caching bytecode after the first run
# (the warm-up): some machines, this project's CI among them, turn that off.
AS_USERS_RUN = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def hyperfine(
    commands: dict[str, str], *, runs: int, cwd: Path, prepare: str = "", warmup: int = 1
) -> dict[str, float]:
    """Median seconds of each command, timed by hyperfine."""
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        options = ["--runs", str(runs), "--warmup", str(warmup), "--export-json", export.name]
        if prepare:
            options += ["--prepare", prepare]
        named = [part for name, command in commands.items() for part in ("-n", name, command)]
        subprocess.run(["hyperfine", "--style", "none", *options, *named], cwd=cwd, check=True,
                       env=AS_USERS_RUN, stdout=subprocess.DEVNULL)  # fmt: skip
        results = json.loads(Path(export.name).read_text())["results"]
    return {result["command"]: result["median"] for result in results}


def wrk(url: str, seconds: int, headers: tuple[str, ...] = ()) -> dict[str, float]:
    """Requests per second and latency percentiles (ms) of `url` under load."""
    sent = [word for header in headers for word in ("-H", header)]
    output = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", *sent, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url} answered {errors.group(1)} errors under load")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": _milliseconds(percentiles["50"]),
        "p99_ms": _milliseconds(percentiles["99"]),
    }


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run(command: list[str], cwd: Path, **env: str) -> None:
    subprocess.run(command, cwd=cwd, check=True, capture_output=True,
                   env={"PATH": f"{BIN}:/usr/bin:/bin", **env})  # fmt: skip


def generate(folder: Path, *options: str) -> Path:
    project = folder / f"p{uuid4().hex[:8]}"
    run([FASTGEN, "new", "shop", str(project), "--yes", "--no-git", "--quiet", *options], folder)
    return project


@contextmanager
def serving(app: str, cwd: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Run `app` under uvicorn (one worker) on a free port; yield its URL and pid.

    uvicorn binds the port itself: a socket handed over with --fd is taken for a Unix
    socket and misses TCP_NODELAY, which costs ~40 ms a response.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", app, "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        cwd=cwd, env={"PATH": f"{BIN}:/usr/bin:/bin", **env}, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{url}/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start")
            time.sleep(0.05)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310
            return True
    except OSError:
        return False


def post_json(url: str, body: object, *headers: str) -> None:
    sent = dict(header.split(": ", 1) for header in headers)
    request = urllib.request.Request(  # noqa: S310 - the URL is the local server's
        url, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **sent},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


# --- figures -----------------------------------------------------------------------------


def startup(settings: Settings, work: Path) -> list[Figure]:
    runs = settings.runs * 2
    medians = hyperfine(
        {
            "fastgen --help": f"{FASTGEN} --help",
            "typer app --help": f"{PYTHON} {BASELINES / 'typer_app.py'} --help",
            "python -c pass": f"{PYTHON} -c pass",
            "import copier": f"{PYTHON} -c 'import copier'",
        },
        runs=runs, cwd=work, warmup=2,
    )  # fmt: skip
    return [
        Figure("CLI start-up: fastgen --help", medians["fastgen --help"], "s",
               "minimal Typer app --help", medians["typer app --help"], "<= 1.1x",
               {"python -c pass (s)": medians["python -c pass"],
                "import copier (s)": medians["import copier"]}),
    ]  # fmt: skip


def generation(settings: Settings, work: Path) -> list[Figure]:
    out = work / "out"
    floor = f"{PYTHON} {BASELINES / 'render_floor.py'} {out}"
    largest = " ".join(LARGEST)
    medians = hyperfine(
        {
            "default": f"{FASTGEN} new demo {out} --yes --quiet",
            "default --no-git": f"{FASTGEN} new demo {out} --yes --quiet --no-git",
            "largest": f"{FASTGEN} new demo {out} --yes --quiet {largest}",
            "floor default": floor,
            "floor largest": f"{floor} {' '.join(LARGEST_FLOOR)}",
            "copier": f"{BIN / 'copier'} copy --defaults --quiet --data project_name=demo "
                      f"{ROOT / 'templates'} {out}",
        },
        runs=settings.runs, cwd=work, prepare=f"rm -rf {out}",
    )  # fmt: skip
    run([str(BIN / "copier"), "copy", "--defaults", "--quiet", "--data", "project_name=demo",
         str(ROOT / "templates"), str(out)], work)  # fmt: skip
    skeleton_files = sum(1 for path in out.rglob("*") if path.is_file())
    return [
        Figure("Generation: fastgen new --yes --no-git (default, with its item resource)",
               medians["default --no-git"], "s",
               f"copier copy of the same template ({skeleton_files}-file skeleton)",
               medians["copier"], "<= 0.8x, <= 0.5 s"),
        Figure("Generation: fastgen new --yes (default)", medians["default"], "s",
               "plain jinja2 floor, skeleton files", medians["floor default"], "<= 1.5x",
               {"without git (s)": medians["default --no-git"]}),
        Figure("Generation: fastgen new --yes (largest option set)", medians["largest"], "s",
               "plain jinja2 floor, skeleton files", medians["floor largest"], "<= 1.5x"),
    ]  # fmt: skip


ORDER = "order customer:str total:decimal paid:bool=false note:text? placed_at:datetime"
RUFF = str(BIN / "ruff")


def resource_generation(settings: Settings, work: Path) -> list[Figure]:
    """`fastgen generate resource` in a fresh copy of a default project, against the CLI's
    start-up; ruff sorting and formatting the same files is the other part it cannot skip."""
    template = generate(work)
    done = work / "done"
    shutil.copytree(template, done)
    run([FASTGEN, "generate", "resource", *ORDER.split()], done)
    files = " ".join(  # the files the resource created or changed
        str(path.relative_to(done))
        for path in done.rglob("*.py")
        if not (template / path.relative_to(done)).exists()
        or (template / path.relative_to(done)).read_bytes() != path.read_bytes()
    )
    floor = (
        f"{RUFF} check --no-cache --quiet --fix-only --exit-zero --select I,RUF022 {files}"
        f" && {RUFF} format --no-cache --quiet {files}"
    )
    copy = work / "copy"
    medians = hyperfine(
        {
            "generate": f"cd {copy} && {FASTGEN} generate resource {ORDER} > /dev/null",
            "ruff floor": f"cd {done} && {floor}",
            "start-up": f"{FASTGEN} --help",
        },
        runs=settings.runs, cwd=work, prepare=f"rm -rf {copy} && cp -r {template} {copy}",
    )  # fmt: skip
    return [
        Figure("Generation: fastgen generate resource (5 fields)", medians["generate"], "s",
               "fastgen --help (start-up)", medians["start-up"], "< 0.5 s",
               {"ruff sorting and formatting the same files (s)": medians["ruff floor"]}),
    ]  # fmt: skip


_MAKE_RELEASED = """
import sys
from pathlib import Path
from fastgen import _snapshots
version, destination = sys.argv[1], Path(sys.argv[2])
with _snapshots.extracted(version) as source:
    _snapshots.run_released(source, ["new", "shop", str(destination), "--yes", "--no-git", "-q"],
                            cwd=destination.parent)
    _snapshots.run_released(source, ["generate", "resource", *sys.argv[3:]], cwd=destination)
"""


def update_and_check(settings: Settings, work: Path) -> list[Figure]:
    """`fastgen update` of a 0.2.0 project with a resource to the newest template (two
    renders and a merge), against `fastgen new`; `fastgen check`, against start-up."""
    released = work / "released"
    run([str(BIN / "python"), "-c", _MAKE_RELEASED, "0.2.0", str(released), *ORDER.split()],
        work)  # fmt: skip
    for command in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "0.2.0"],
    ):
        run(["git", *command], released)  # fmt: skip
    current = generate(work)
    copy = work / "copy"
    update = hyperfine(
        {
            "update": f"cd {copy} && {FASTGEN} update > /dev/null",
            "new": f"rm -rf {work}/new && {FASTGEN} new shop {work}/new --yes --no-git -q",
        },
        runs=settings.runs, cwd=work, prepare=f"rm -rf {copy} && cp -r {released} {copy}",
    )  # fmt: skip
    check = hyperfine(
        {"check": f"cd {current} && {FASTGEN} check", "start-up": f"{FASTGEN} --help"},
        runs=settings.runs, cwd=work,
    )  # fmt: skip
    return [
        Figure("Update: fastgen update 0.2.0 -> newest (a resource added)", update["update"],
               "s", "fastgen new --yes (default)", update["new"]),
        Figure("Check: fastgen check (as rendered)", check["check"], "s",
               "fastgen --help (start-up)", check["start-up"]),
    ]  # fmt: skip


def own_tests(settings: Settings, work: Path) -> list[Figure]:
    project = generate(work)
    trivial = work / "trivial"
    trivial.mkdir()
    (trivial / "test_nothing.py").write_text("def test_nothing() -> None:\n    pass\n")
    pytest = f"{PYTHON} -m pytest -q -p no:cacheprovider"
    medians = {
        "project": hyperfine({"project": pytest}, runs=settings.runs, cwd=project)["project"],
        "trivial": hyperfine({"trivial": pytest}, runs=settings.runs, cwd=trivial)["trivial"],
    }
    return [
        Figure("Generated project's own pytest (default)", medians["project"], "s",
               "pytest on one empty test", medians["trivial"], "< 3 s"),
    ]  # fmt: skip


def time_to_green(settings: Settings, work: Path) -> list[Figure]:
    """`fastgen new --install`, then the project's tests, with a warm package cache."""
    out = work / "green"
    steps = (
        f"{FASTGEN} new demo {out} --yes --quiet --install"
        f" && cd {out} && .venv/bin/python -m pytest -q"
    )
    commands = {"uv": f"env PATH={BIN}:/usr/bin:/bin sh -c '{steps}'"}
    if settings.time_to_green_with_pip:
        commands["pip"] = f"env PATH=/usr/bin:/bin sh -c '{steps}'"
    commands["generation only"] = f"{FASTGEN} new demo {out} --yes --quiet"
    medians = hyperfine(commands, runs=max(1, settings.runs // 3), cwd=work,
                        prepare=f"rm -rf {out}", warmup=1)  # fmt: skip
    figures = [Figure("Time to green: new + install + tests (uv)", medians["uv"], "s",
                      "generation only", medians["generation only"])]  # fmt: skip
    if "pip" in medians:
        figures.append(Figure("Time to green: new + install + tests (pip)", medians["pip"], "s",
                              "generation only", medians["generation only"]))  # fmt: skip
    return figures


def throughput(settings: Settings, work: Path) -> list[Figure]:
    """Generated endpoints against baselines served at the same time, measured in turns."""
    figures = []
    with serving("hello_app:app", BASELINES, {}) as (hello, _):
        for database in ("sqlite", "postgresql"):
            project = generate(work, "--database", database)
            with database_url(database, work) as url:
                run([PYTHON, "-m", "alembic", "upgrade", "head"], project, DATABASE_URL=url)
                env = {"DATABASE_URL": url}
                with (
                    # The layers' cost only: what logs cost is in observability().
                    serving("app.main:app", project, env | {"LOG_LEVEL": "WARNING"}) as (app, _),
                    serving("flat_app:app", BASELINES, env) as (flat, _),
                ):
                    for number in range(100):
                        item = {"name": f"item {number}", "quantity": number}
                        post_json(f"{app}/api/v1/items", item)
                    paths = ("/api/v1/items/42", "/api/v1/items?limit=20")
                    pairs = [(f"GET {path} ({database})", app + path,
                              "flat hand-written endpoint", flat + path)
                             for path in paths]  # fmt: skip
                    if database == "sqlite":
                        pairs.insert(0, ("GET /health", f"{app}/health",
                                         "bare FastAPI hello", f"{hello}/health"))  # fmt: skip
                    figures += [compare(*pair, settings) for pair in pairs]
    return figures


def compare(name: str, url: str, baseline_name: str, baseline_url: str,
            settings: Settings, target: str = ">= 0.9x",
            headers: tuple[str, ...] = ()) -> Figure:  # fmt: skip
    """Load `url` (sending `headers`) and `baseline_url` in turns, so that both see the
    same machine."""
    rounds: dict[str, list[dict[str, float]]] = {url: [], baseline_url: []}
    for _ in range(settings.wrk_rounds):
        for loaded in rounds:
            sent = headers if loaded == url else ()
            rounds[loaded].append(wrk(loaded, settings.wrk_seconds, sent))
    measured, baseline = ({key: statistics.median(run[key] for run in runs) for key in runs[0]}
                          for runs in rounds.values())  # fmt: skip
    return Figure(f"Throughput: {name}", measured["rps"], "req/s", baseline_name,
                  baseline["rps"], target,
                  {"p50 (ms)": measured["p50_ms"], "p99 (ms)": measured["p99_ms"],
                   "baseline p50 (ms)": baseline["p50_ms"],
                   "baseline p99 (ms)": baseline["p99_ms"]})  # fmt: skip


def authentication(settings: Settings, work: Path) -> list[Figure]:
    """What a logged-in request costs (the token checked, the user loaded) against the
    same read in a project without auth; and one login (an Argon2id check)."""
    plain = generate(work, "--database", "sqlite")
    guarded = generate(work, "--database", "sqlite", "--auth", "jwt")
    account = {"email": "bench@example.com", "password": "a benchmark password"}
    with (
        database_url("sqlite", work) as plain_db,
        database_url("sqlite", work) as guarded_db,
    ):
        for project, url in ((plain, plain_db), (guarded, guarded_db)):
            run([PYTHON, "-m", "alembic", "upgrade", "head"], project, DATABASE_URL=url)
        with (
            serving("app.main:app", plain, {"DATABASE_URL": plain_db,
                                            "LOG_LEVEL": "WARNING"}) as (bare, _),
            serving("app.main:app", guarded, {"DATABASE_URL": guarded_db,
                                              "LOG_LEVEL": "WARNING"}) as (app, _),
        ):  # fmt: skip
            post_json(f"{app}/api/v1/auth/register", account)
            started = time.perf_counter()
            token = log_in(app, account["email"], account["password"])
            login_ms = (time.perf_counter() - started) * 1000
            bearer = f"Authorization: Bearer {token}"
            post_json(f"{bare}/api/v1/items", {"name": "lamp", "quantity": 1})
            post_json(f"{app}/api/v1/items", {"name": "lamp", "quantity": 1}, bearer)
            path = "/api/v1/items/1"
            read = compare(f"GET {path} logged in (sqlite)", app + path,
                           "the same without auth", bare + path, settings,
                           target=">= 0.8x", headers=(bearer,))  # fmt: skip
    login = Figure("Log in: one Argon2id check (time to answer, one request)", login_ms, "ms")
    return [read, login]


def log_in(base: str, email: str, password: str) -> str:
    form = urllib.parse.urlencode({"username": email, "password": password}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/token", data=form)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        token: str = json.load(response)["access_token"]
    return token


def observability(settings: Settings, work: Path) -> list[Figure]:
    """What JSON logs + metrics, then tracing too, cost against the same app without them.

    Logs are always generated: the baseline runs at LOG_LEVEL=WARNING, so it writes no
    access line, in a project generated without metrics and tracing. Traced spans go
    to a local OTLP sink, as they would to a collector.
    """
    plain = generate(work, "--database", "sqlite")
    watched = generate(work, "--database", "sqlite", "--metrics", "--tracing")
    path = "/api/v1/items/42"
    figures = []
    with (
        database_url("sqlite", work) as plain_db,
        database_url("sqlite", work) as watched_db,
        otlp_sink() as sink,
    ):
        for project, url in ((plain, plain_db), (watched, watched_db)):
            run([PYTHON, "-m", "alembic", "upgrade", "head"], project, DATABASE_URL=url)
        quiet = {"DATABASE_URL": plain_db, "LOG_LEVEL": "WARNING"}
        logged = {"DATABASE_URL": watched_db, "LOG_FORMAT": "json"}
        traced = logged | {"OTEL_EXPORTER_OTLP_ENDPOINT": sink}
        cases = [("JSON access logs + metrics", logged, ">= 0.9x"),
                 ("JSON access logs + metrics + tracing", traced, "")]  # fmt: skip
        for case, (name, env, target) in enumerate(cases):
            with (
                serving("app.main:app", plain, quiet) as (baseline, _),
                serving("app.main:app", watched, env) as (app, _),
            ):
                for server in (baseline, app):
                    for number in range(50):
                        post_json(f"{server}/api/v1/items", {"name": f"{case}-{number}"})
                figures.append(compare(f"GET {path}, {name}", app + path,
                                       "same app, no access log, metrics or tracing",
                                       baseline + path, settings, target))  # fmt: skip
    return figures


@contextmanager
def otlp_sink() -> Iterator[str]:
    """A local OTLP/HTTP endpoint that takes every export and keeps nothing."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Sink(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def database_url(database: str, work: Path) -> Iterator[str]:
    if database == "sqlite":
        yield f"sqlite+aiosqlite:///{work / f'{uuid4().hex}.db'}"
        return
    name = f"bench_{uuid4().hex[:12]}"
    script = (
        "import asyncio, sys\nfrom sqlalchemy import text\n"
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "async def main():\n"
        "    engine = create_async_engine(sys.argv[1], isolation_level='AUTOCOMMIT')\n"
        "    async with engine.connect() as connection:\n"
        "        await connection.execute(text(sys.argv[2]))\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
    )
    run([PYTHON, "-c", script, POSTGRES_SERVER, f"CREATE DATABASE {name}"], work)
    try:
        yield POSTGRES_SERVER.rsplit("/", 1)[0] + f"/{name}"
    finally:
        run([PYTHON, "-c", script, POSTGRES_SERVER, f"DROP DATABASE {name} WITH (FORCE)"], work)


def websocket_fan_out(settings: Settings, work: Path) -> list[Figure]:
    project = generate(work, "--websocket")
    url = f"sqlite+aiosqlite:///{work / 'ws.db'}"
    run([PYTHON, "-m", "alembic", "upgrade", "head"], project, DATABASE_URL=url)
    with serving("app.main:app", project, {"DATABASE_URL": url}) as (app, pid):
        result = asyncio.run(_fan_out(app, pid, settings))
    return [
        Figure(f"WebSocket fan-out: publish to last of {settings.websocket_clients} clients",
               result["p50_ms"], "ms", "publish to first client", result["first_p50_ms"], "",
               {"p99 (ms)": result["p99_ms"],
                "memory per connection (KiB)": result["per_connection_kib"]}),
        Figure(f"WebSocket memory after {settings.websocket_cycles} connect/disconnect cycles",
               result["rss_after_cycles_kib"], "KiB", "RSS before the cycles",
               result["rss_before_cycles_kib"], "returns to baseline"),
    ]  # fmt: skip


async def _fan_out(app: str, pid: int, settings: Settings) -> dict[str, float]:
    from websockets.asyncio.client import connect

    ws_url = app.replace("http://", "ws://") + "/api/v1/ws"

    async def subscribed() -> Any:
        websocket = await connect(ws_url, max_queue=None)
        await websocket.send(json.dumps({"type": "subscribe", "channel": "items"}))
        await websocket.recv()
        return websocket

    async def cycle() -> None:
        websocket = await subscribed()
        await websocket.close()

    for _ in range(3):  # warm up: the first connections allocate pools
        await asyncio.gather(*(cycle() for _ in range(50)))
    before_clients = rss_kib(pid)
    clients = await asyncio.gather(*(subscribed() for _ in range(settings.websocket_clients)))
    per_connection = (rss_kib(pid) - before_clients) / len(clients)
    last, first = [], []
    for number in range(settings.websocket_publishes):
        started = time.perf_counter()
        item = {"name": f"fan-out {number}"}
        await asyncio.to_thread(post_json, f"{app}/api/v1/items", item)
        arrivals = await asyncio.gather(*(_arrival(client) for client in clients))
        first.append((min(arrivals) - started) * 1000)
        last.append((max(arrivals) - started) * 1000)
    await asyncio.gather(*(client.close() for client in clients))
    await asyncio.sleep(0.5)
    before_cycles = rss_kib(pid)
    for _ in range(settings.websocket_cycles // 100):
        await asyncio.gather(*(cycle() for _ in range(100)))
    await asyncio.sleep(0.5)
    return {
        "p50_ms": statistics.median(last),
        "p99_ms": _percentile(last, 99),
        "first_p50_ms": statistics.median(first),
        "per_connection_kib": per_connection,
        "rss_before_cycles_kib": before_cycles,
        "rss_after_cycles_kib": rss_kib(pid),
    }


async def _arrival(client: Any) -> float:
    await client.recv()
    return time.perf_counter()


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


# --- report ------------------------------------------------------------------------------


def verify(settings: Settings, work: Path) -> list[Figure]:
    """A pairwise `fastgen verify` of the bundled template (each combination also updated
    from the previous release), against verifying one combination, in one run each: the
    environments are cached by the first."""
    servers = [
        "--server=postgresql=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        "--server=mysql=mysql+aiomysql://root@127.0.0.1:3306",
    ]
    one = ["--matrix=all", "-d", "database=sqlite", "-d", "python_version=3.12",
           "-d", "websocket=false", "--no-upgrade"]  # fmt: skip
    seconds = {}
    for name, options in {"one": one, "pairwise": ["--jobs=2", *servers]}.items():
        if name == "pairwise" and not settings.verify_pairwise:
            continue
        started = time.monotonic()
        command = [FASTGEN, "verify", *options, f"--json={work / name}.json"]
        subprocess.run(command, cwd=work, capture_output=True, check=False,
                       env={"PATH": f"{BIN}:/usr/bin:/bin"})  # fmt: skip
        seconds[name] = time.monotonic() - started
    if "pairwise" not in seconds:
        return [Figure("Verify: one combination, no upgrade", seconds["one"], "s")]
    cases = json.loads((work / "pairwise.json").read_text())["combinations"]
    failed = [case["name"] for case in cases if not case["passed"]]
    if failed:  # the time still counts; the failures are for a look
        print(f"verify failed: {'; '.join(failed)}", file=sys.stderr)
    return [
        Figure("Verify: pairwise, bundled template, -j 2", seconds["pairwise"], "s",
               "one combination, no upgrade", seconds["one"],
               details={"projects": len(cases), "failed": len(failed)}),
    ]  # fmt: skip


SUITES: dict[str, Callable[[Settings, Path], list[Figure]]] = {
    "startup": startup,
    "generation": generation,
    "resource": resource_generation,
    "update": update_and_check,
    "own-tests": own_tests,
    "time-to-green": time_to_green,
    "throughput": throughput,
    "auth": authentication,
    "observability": observability,
    "websocket": websocket_fan_out,
    "verify": verify,
}


def report(figures: list[Figure]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="fastgen benchmarks (medians)")
    for column in ("figure", "value", "baseline", "ratio", "target", "details"):
        table.add_column(column)
    for figure in figures:
        ratio = f"{figure.ratio:.2f}x" if figure.ratio else ""
        baseline = f"{figure.baseline:.4g} ({figure.baseline_name})" if figure.baseline else ""
        details = ", ".join(f"{key} {value:.4g}" for key, value in figure.details.items())
        table.add_row(figure.name, f"{figure.value:.4g} {figure.unit}", baseline, ratio,
                      figure.target, details)  # fmt: skip
    Console(width=200).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="brief runs that prove it works")
    parser.add_argument("--only", choices=list(SUITES), action="append", help="run these only")
    arguments = parser.parse_args()
    settings = QUICK if arguments.quick else FULL
    missing = [tool for tool in ("hyperfine", "wrk") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"error: {', '.join(missing)} not found; run `bash bench/setup.sh` first")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    figures: list[Figure] = []
    for name in arguments.only or SUITES:
        with tempfile.TemporaryDirectory(prefix=f"fastgen-bench-{name}-") as work:
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
            figures += SUITES[name](settings, Path(work))
    report(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(
        {"quick": arguments.quick,
         "figures": [asdict(figure) | {"ratio": figure.ratio} for figure in figures]},
        indent=2,
    ))  # fmt: skip
    print(f"wrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
