"""The record of how a project was made, kept in the project as `.fastgen.json`.

It names the fastgen and template versions, the answers, and every resource added
with the template version that rendered it: enough to render the project again. It
also holds the SHA-256 of each file as the template rendered it (None where a
generator edited a file the user had changed, so the pristine text is unknown): with
them, `fastgen check` finds the files a user changed without rendering anything.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fastgen.errors import FastgenError

RECORD_FILE = ".fastgen.json"
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # a SHA-1 or SHA-256 commit id


@dataclass(frozen=True)
class ResourceRecord:
    """A resource added with `fastgen generate resource` (or by `fastgen new`)."""

    name: str
    plural: str
    fields: tuple[str, ...]  # the specs, each as `FieldSpec.spec` writes it
    template_version: str
    owned: bool = False  # each row belongs to a user (`--owned`)


@dataclass(frozen=True)
class Record:
    """How the project was made."""

    fastgen_version: str
    template: str
    template_version: str
    answers: dict[str, Any]
    resources: tuple[ResourceRecord, ...] = field(default=())
    template_digest: str = ""
    # Where the template came from ("" for fastgen's own), and the git commit it was at.
    template_source: str = ""
    template_commit: str = ""
    files: dict[str, str | None] = field(default_factory=dict)

    def with_resource(self, resource: ResourceRecord) -> Record:
        return replace(self, resources=(*self.resources, resource))

    def with_files(self, files: dict[str, str | None]) -> Record:
        return replace(self, files=dict(sorted((self.files | files).items())))

    def dumps(self) -> str:
        content = {
            "fastgen_version": self.fastgen_version,
            "template": self.template,
            "template_source": self.template_source,
            "template_version": self.template_version,
            "template_commit": self.template_commit,
            "template_digest": self.template_digest,
            "answers": self.answers,
            "resources": [
                {
                    "name": resource.name,
                    "plural": resource.plural,
                    "fields": list(resource.fields),
                    "template_version": resource.template_version,
                    # Written only when true: records before 0.8.0 have no owned resources.
                    **({"owned": True} if resource.owned else {}),
                }
                for resource in self.resources
            ],
            "files": self.files,
        }
        return json.dumps(content, indent=2, ensure_ascii=False) + "\n"


def read(path: Path) -> Record:
    """The record in the file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FastgenError(
            f"{path} is damaged: it is not UTF-8 text", hint="restore it from version control"
        ) from None
    return loads(text, where=path)


def loads(text: str, *, where: Path) -> Record:
    """Read a record, raising a FastgenError that names `where` if it is damaged.

    A record is data that anyone who shares the project may have edited: a commit must
    be a commit id and a file's path a plain path inside the project."""
    try:
        record = _parsed(json.loads(text))
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise FastgenError(
            f"{where} is damaged ({type(error).__name__}: {error})",
            hint="restore it from version control",
        ) from None
    if record.template_commit and not _COMMIT.fullmatch(record.template_commit):
        raise FastgenError(
            f"{where} is damaged: template_commit {record.template_commit!r} is not a commit id",
            hint="restore it from version control",
        )
    for path in record.files:
        if not is_inside_path(path):
            raise FastgenError(
                f"{where} is damaged: {path!r} is not a path inside the project",
                hint="restore it from version control",
            )
    return record


def is_inside_path(path: str) -> bool:
    """Whether `path` is a plain relative path that stays inside the project."""
    parts = path.split("/")
    return all(part not in ("", ".", "..") for part in parts) and not any(
        character in path for character in ("\\", "\0")
    )


def _parsed(content: Any) -> Record:
    return Record(
        fastgen_version=str(content["fastgen_version"]),
        template=str(content["template"]),
        template_version=str(content["template_version"]),
        answers=dict(content["answers"]),
        resources=tuple(
            ResourceRecord(
                name=str(resource["name"]),
                plural=str(resource["plural"]),
                fields=tuple(map(str, resource["fields"])),
                template_version=str(resource["template_version"]),
                owned=resource.get("owned", False) is True,
            )
            for resource in content["resources"]
        ),
        # Records of template 0.2.0 have neither.
        template_digest=str(content.get("template_digest", "")),
        # Records before 0.4.0 were all of fastgen's own template.
        template_source=str(content.get("template_source", "")),
        template_commit=str(content.get("template_commit", "")),
        files={
            str(path): None if sha is None else str(sha)
            for path, sha in dict(content.get("files", {})).items()
        },
    )


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
