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
from pathlib import Path

from fastgen.errors import FastgenError
from fastgen.template import BUNDLED_TEMPLATE, load_template, load_yaml_mapping

BUNDLED = ""  # the recorded source of fastgen's own template
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


def resolve(spec: str | None, *, trust: bool = False) -> Resolved:
    """The template `spec` names (`PATH`, `URL` or either `@REF`; None: fastgen's own).

    Without `trust`, a template whose copier.yml runs code is refused.
    """
    if not spec:
        return Resolved(BUNDLED, load_template(BUNDLED_TEMPLATE).version, BUNDLED_TEMPLATE)
    location, ref = _split(spec)
    if _is_git(location):
        resolved = _git_template(_canonical(location), ref)
    elif ref is not None:
        raise TemplateSourceError(f"{location} is not a git repository, so it has no @{ref}")
    else:
        folder = Path(location).expanduser().resolve()
        _require_template(folder, spec)
        resolved = Resolved(str(folder), load_template(folder).version, folder)
    require_trust(resolved, trust=trust)
    return resolved


def at(source: str, *, version: str, commit: str = "", trust: bool = False) -> Resolved:
    """The template a project recorded: `source` at `commit` (or at `version`)."""
    if source == BUNDLED:
        return Resolved(BUNDLED, version, BUNDLED_TEMPLATE)
    if commit:
        # A commit's files never change: once extracted, no fetch (and no network).
        extracted = _folder(source) / commit
        folder = extracted if extracted.is_dir() else _checkout(_mirror(source), commit)
        resolved = Resolved(source, version, folder, commit)
    else:
        resolved = resolve(source, trust=trust)
        if resolved.version != version:
            raise TemplateSourceError(
                f"the template at {source} is now version {resolved.version}, and its "
                f"version {version} is gone: it is not a git repository that keeps it",
                hint="keep a team template in git and tag its versions",
            )
    require_trust(resolved, trust=trust)
    return resolved


def newest(source: str, *, trust: bool = False) -> Resolved:
    """The newest version of `source`: its highest version tag, else what it holds now."""
    if source == BUNDLED:
        return resolve(None)
    return resolve(source, trust=trust)


def versions(source: str) -> list[str]:
    """The version tags of the git template at `source`, oldest first."""
    if source == BUNDLED or not _is_git(source):
        return []
    return [version for version, _ in _tags(_mirror(source))]


def require_trust(template: Resolved, *, trust: bool) -> None:
    """Refuse a template whose copier.yml would run code, unless the user trusts it."""
    if trust or template.source == BUNDLED:
        return
    config = load_yaml_mapping(template.path / "copier.yml")
    found = [key for key in CODE_KEYS if config.get(key)]
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
        _git(mirror.parent, "clone", "--quiet", "--mirror", location, str(clone))
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
    """Extract an archive of `git archive`, refusing links and paths that leave `folder`
    where Python has tarfile's "data" filter (3.11.4 and later)."""
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(folder, filter="data")
        else:  # pragma: no cover - Python before 3.11.4
            archive.extractall(folder)  # noqa: S202 - git archive of the user's own template


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


def _folder(location: str) -> Path:
    """The cache folder of the git template at `location`: its clone and checkouts."""
    return _cache() / hashlib.sha256(location.encode()).hexdigest()[:16]


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
