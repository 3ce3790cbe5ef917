"""Where a template comes from: fastgen's own, a folder, or a git repository at a version.

A git template is cloned once into the cache folder and fetched again on each use; each
commit it renders from is extracted once, into a folder named by the commit, which never
changes afterwards. Its tags are its versions (`v1.2.0` and `1.2.0` are both 1.2.0).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from fastgen._trust import BUNDLED as BUNDLED
from fastgen._trust import Trust
from fastgen.errors import FastgenError
from fastgen.template import BUNDLED_TEMPLATE, load_template, load_yaml_mapping

# copier.yml keys whose content runs as code on the machine that renders the template.
CODE_KEYS = ("_tasks", "_migrations", "_jinja_extensions")
_VERSION_TAG = re.compile(r"v?(\d+(?:\.\d+)*)")


class TemplateSourceError(FastgenError):
    """The template cannot be found, fetched or trusted as given."""


@dataclass(frozen=True)
class Resolved:
    """A template at one version, as a folder on this machine."""

    source: str  # as recorded: BUNDLED, a folder's absolute path, or a git location
    version: str
    path: Path
    commit: str = ""  # the git commit it was extracted from, for a git template


def resolve(spec: str | None) -> Resolved:
    """The template `spec` names (`PATH`, `URL` or either `@REF`; None: fastgen's own).

    Resolving runs nothing of the template; whoever renders it checks `require_trust`.
    """
    if not spec:
        return Resolved(BUNDLED, load_template(BUNDLED_TEMPLATE).version, BUNDLED_TEMPLATE)
    if spec.startswith("-"):
        raise TemplateSourceError(f"{spec!r} is not a template location: it starts with '-'")
    location, ref = _split(spec)
    if ref is not None and ref.startswith("-"):
        raise TemplateSourceError(f"{ref!r} is not a version or git ref: it starts with '-'")
    if _is_git(location):
        return _git_template(_canonical(location), ref)
    if ref is not None:
        raise TemplateSourceError(f"{location} is not a git repository, so it has no @{ref}")
    folder = Path(location).expanduser().resolve()
    _require_template(folder, spec)
    return Resolved(str(folder), load_template(folder).version, folder)


def at(source: str, *, version: str, commit: str = "", trust: Trust) -> Resolved:
    """The template a project recorded: `source` at `commit` (or at `version`).

    The record is data: `source` is used only if the user trusts it."""
    _require_recorded(source, trust)
    if source == BUNDLED:
        return Resolved(BUNDLED, version, BUNDLED_TEMPLATE)
    if commit:  # a commit id: the record checks it
        # A commit's files never change: once extracted, no fetch (and no network).
        extracted = _folder(source) / commit
        folder = extracted if extracted.is_dir() else _checkout(_mirror(source), commit)
        _require_template(folder, f"{source} at {commit[:12]}")
        return Resolved(source, version, folder, commit)
    resolved = resolve(source)
    if resolved.version != version:
        raise TemplateSourceError(
            f"the template at {source} is now version {resolved.version}, and its "
            f"version {version} is gone: it is not a git repository that keeps it",
            hint="keep a team template in git and tag its versions",
        )
    return resolved


def newest(source: str, *, trust: Trust) -> Resolved:
    """The newest version of the recorded `source`: its highest version tag, else what
    it holds now."""
    _require_recorded(source, trust)
    return resolve(source or None)


def at_ref(source: str, ref: str, *, trust: Trust) -> Resolved:
    """The recorded `source` at `ref`, a version tag or another git ref."""
    _require_recorded(source, trust)
    return resolve(f"{source}@{ref}")


def _require_recorded(source: str, trust: Trust) -> None:
    """Refuse a source that a project's record names unless the user trusts it."""
    if not trust.allows(source):
        raise TemplateSourceError(
            f"the project's .fastgen.json names the template {source}, which you have "
            "not trusted; fastgen reads no template a cloned project chooses by itself",
            hint=f"if you trust it: add --trust, or list it under `trust:` in {_config_path()}",
        )


def versions(source: str) -> list[str]:
    """The version tags of the git template at `source`, oldest first."""
    if source == BUNDLED or not _is_git(source):
        return []
    return [version for version, _ in _tags(_mirror(source))]


def runs_code(template: Resolved) -> list[str]:
    """The keys of the template's copier.yml that run code when it renders."""
    config = load_yaml_mapping(template.path / "copier.yml")
    return [key for key in CODE_KEYS if config.get(key)]


def require_trust(template: Resolved, *, trust: Trust) -> None:
    """Refuse a template whose copier.yml would run code, unless the user trusts it."""
    found = runs_code(template) if not trust.allows(template.source) else []
    if found:
        raise TemplateSourceError(
            f"the template {template.source} runs code ({', '.join(found)} in copier.yml)",
            hint="read what it runs, then add --trust if you trust it",
        )


def _split(spec: str) -> tuple[str, str | None]:
    """`LOCATION@REF` into its parts; an `@` inside `git@host:` is not a ref."""
    if Path(spec).expanduser().exists():
        return spec, None
    location, at_sign, ref = spec.rpartition("@")
    if at_sign and location and ref and ":" not in ref and not location.endswith(("git", ":")):
        return location, ref
    return spec, None


def _is_git(location: str) -> bool:
    if "://" in location or re.match(r"^[\w.-]+@[\w.-]+:", location):
        return True
    folder = Path(location).expanduser()
    return (folder / ".git").exists() or (
        (folder / "HEAD").is_file() and (folder / "refs").is_dir()
    )


def _canonical(location: str) -> str:
    """A local repository by its absolute path, so the record works from any folder."""
    if "://" in location or re.match(r"^[\w.-]+@[\w.-]+:", location):
        return location
    return str(Path(location).expanduser().resolve())


def _git_template(location: str, ref: str | None) -> Resolved:
    mirror = _mirror(location)
    tags = _tags(mirror)
    if ref is None:
        if tags:
            version, commit = tags[-1]
        else:
            commit = _git(mirror, "rev-parse", "--verify", "HEAD^{commit}")
            version = ""
    else:
        commit = _commit_of(mirror, ref, location)
        version = next((version for version, tagged in reversed(tags) if tagged == commit), "")
    folder = _checkout(mirror, commit)
    _require_template(folder, f"{location} at {ref or commit[:12]}")
    return Resolved(location, version or load_template(folder).version, folder, commit)


def _commit_of(mirror: Path, ref: str, location: str) -> str:
    for candidate in (ref, f"v{ref}"):  # `@1.2.0` finds the tag v1.2.0 too
        try:
            return _git(mirror, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}")
        except TemplateSourceError:
            continue
    raise TemplateSourceError(f"{location} has no tag, branch or commit {ref!r}")


def _tags(mirror: Path) -> list[tuple[str, str]]:
    """(version, commit) of each version tag, oldest version first."""
    listing = _git(mirror, "for-each-ref", "refs/tags", "--format=%(refname:short) %(objectname)")
    tags = []
    for line in listing.splitlines():
        name, _, _ = line.partition(" ")
        match = _VERSION_TAG.fullmatch(name)
        if match:
            commit = _git(mirror, "rev-parse", "--verify", f"{name}^{{commit}}")
            tags.append((match.group(1), commit))
    return sorted(tags, key=lambda tag: tuple(int(part) for part in tag[0].split(".")))


def _mirror(location: str) -> Path:
    """A bare clone of `location` in the cache, fetched now."""
    mirror = _folder(location) / "repository.git"
    if mirror.is_dir():
        _git(mirror, "fetch", "--quiet", "--force", "--prune", "--tags", "origin")
        return mirror
    mirror.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=mirror.parent) as scratch:
        clone = Path(scratch) / "repository.git"
        _git(mirror.parent, "clone", "--quiet", "--mirror", "--", location, str(clone))
        try:
            clone.rename(mirror)
        except OSError:  # another fastgen cloned it meanwhile
            if not mirror.is_dir():
                raise
    return mirror


def _checkout(mirror: Path, commit: str) -> Path:
    """The files of `commit`, extracted once into a folder of their own."""
    folder = mirror.parent / commit
    if folder.is_dir():
        return folder
    with tempfile.TemporaryDirectory(dir=mirror.parent) as scratch:
        extracted = Path(scratch) / "files"
        extracted.mkdir()
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit],
            cwd=mirror,
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            raise TemplateSourceError(f"cannot read commit {commit[:12]} of the template")
        _extract(archive.stdout, extracted)
        try:
            extracted.rename(folder)
        except OSError:
            if not folder.is_dir():
                raise
    return folder


def _extract(tar: bytes, folder: Path) -> None:
    """Extract an archive of `git archive`, refusing any path or link that leaves `folder`."""
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        for member in archive.getmembers():
            _refuse_escape(member)
        if hasattr(tarfile, "data_filter"):
            archive.extractall(folder, filter="data")
        else:  # pragma: no cover - Python before 3.11.4; every member was checked above
            archive.extractall(folder)  # noqa: S202


def _refuse_escape(member: Any) -> None:
    """Refuse an archive member whose path, or whose link's target, leaves the archive."""
    name = PurePosixPath(member.name)
    target = PurePosixPath(member.linkname) if member.issym() or member.islnk() else None
    if member.issym():
        target = name.parent / member.linkname
    for path in (name, target):
        if path is not None and (path.is_absolute() or _leaves(path)):
            raise TemplateSourceError(
                f"the template's {member.name} "
                + (f"links to {member.linkname}, " if path is target else "")
                + "which leads outside the template",
                hint="a template may hold links only to its own files",
            )


def _leaves(path: PurePosixPath) -> bool:
    depth = 0
    for part in path.parts:
        depth += -1 if part == ".." else 0 if part in (".", "") else 1
        if depth < 0:
            return True
    return False


def _require_template(folder: Path, named: str) -> None:
    if not folder.is_dir():
        raise TemplateSourceError(f"template not found: {named}")
    for needed in ("copier.yml", "fastgen.yml"):
        if not (folder / needed).is_file():
            raise TemplateSourceError(
                f"{named} is not a fastgen template: it has no {needed}",
                hint="a fastgen template is a Copier template with a fastgen.yml, "
                "like the one fastgen ships",
            )
    _refuse_outside_links(folder, named)


def _refuse_outside_links(folder: Path, named: str) -> None:
    """Refuse a template with a link to anything outside it: rendering would copy it."""
    real = folder.resolve()
    for path in folder.rglob("*"):
        if not path.is_symlink():
            continue
        try:
            target = path.resolve()
        except (OSError, RuntimeError):
            raise TemplateSourceError(
                f"{named}: {path.relative_to(folder)} is a loop of symbolic links"
            ) from None
        if not target.is_relative_to(real):
            raise TemplateSourceError(
                f"{named}: {path.relative_to(folder)} links to {os.readlink(path)}, "
                "which is outside the template",
                hint="a template may hold links only to its own files",
            )


def _folder(location: str) -> Path:
    """The cache folder of the git template at `location`: its clone and checkouts."""
    return _cache() / hashlib.sha256(location.encode()).hexdigest()[:16]


def _config_path() -> Path:
    from fastgen._config import config_path

    return config_path()


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fastgen" / "templates"


def _git(folder: Path, *arguments: str) -> str:
    result = subprocess.run(
        ["git", *arguments], cwd=folder, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise TemplateSourceError(f"git {arguments[0]} failed: {last}")
    return result.stdout.strip()
