"""The record of how a project was made, kept in the project as `.fastgen.json`.

It names the fastgen and template versions, the answers, and every resource added
with the template version that rendered it: enough to render the project again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fastgen.errors import FastgenError

RECORD_FILE = ".fastgen.json"


@dataclass(frozen=True)
class ResourceRecord:
    """A resource added with `fastgen generate resource` (or by `fastgen new`)."""

    name: str
    plural: str
    fields: tuple[str, ...]  # the specs, each as `FieldSpec.spec` writes it
    template_version: str


@dataclass(frozen=True)
class Record:
    """How the project was made."""

    fastgen_version: str
    template: str
    template_version: str
    answers: dict[str, Any]
    resources: tuple[ResourceRecord, ...] = field(default=())

    def with_resource(self, resource: ResourceRecord) -> Record:
        return replace(self, resources=(*self.resources, resource))

    def dumps(self) -> str:
        content = {
            "fastgen_version": self.fastgen_version,
            "template": self.template,
            "template_version": self.template_version,
            "answers": self.answers,
            "resources": [
                {
                    "name": resource.name,
                    "plural": resource.plural,
                    "fields": list(resource.fields),
                    "template_version": resource.template_version,
                }
                for resource in self.resources
            ],
        }
        return json.dumps(content, indent=2, ensure_ascii=False) + "\n"


def loads(text: str, *, where: Path) -> Record:
    """Read a record, raising a FastgenError that names `where` if it is damaged."""
    try:
        content = json.loads(text)
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
                )
                for resource in content["resources"]
            ),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise FastgenError(
            f"{where} is damaged ({type(error).__name__}: {error})",
            hint="restore it from version control",
        ) from None
