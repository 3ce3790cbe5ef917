"""The generation floor: render fastgen's template with plain jinja2, in one process.

Walks the same template files, renders their names and contents with the same answers,
and writes them out: the skeleton `fastgen new` renders before it adds the example
resource (which `fastgen generate resource` is measured for on its own).
Usage: python render_floor.py DEST [KEY=VALUE ...]
"""

import json
import sys
from pathlib import Path

import jinja2
import yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "templates"


def main() -> None:
    destination = Path(sys.argv[1])
    answers = {
        "project_name": destination.name,
        "description": "A FastAPI service.",
        "author_name": "",
        "python_version": "3.12",
        "database": "sqlite",
        "auth": "none",
        "websocket": False,
        "broadcast_backend": "memory",
        "jobs": "none",
        "metrics": False,
        "tracing": False,
        "kubernetes": False,
        "serverless": "none",
    }
    for item in sys.argv[2:]:
        key, _, value = item.partition("=")
        answers[key] = {"true": True, "false": False}.get(value, value)
    # Renders code, not HTML: autoescaping would corrupt it. The floor has no sandbox:
    # fastgen's (fastgen/_jinja.py) is part of what the ratio measures.
    environment = jinja2.Environment(  # noqa: TID251
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
    )
    environment.filters["to_json"] = lambda value, **options: json.dumps(value, **options)
    environment.filters["to_nice_yaml"] = lambda value: yaml.safe_dump(value, indent=2)
    context = {
        **answers,
        "_copier_answers": answers,
        "_copier_conf": {"answers_file": ".copier-answers.yml"},
    }
    source_root = TEMPLATE / "project"
    for source in sorted(source_root.rglob("*")):
        if source.is_dir():
            continue
        relative = source.relative_to(source_root)
        parts = [environment.from_string(part).render(context) for part in relative.parts]
        if not all(parts):
            continue
        target = destination.joinpath(*parts)
        if target.suffix == ".jinja":
            target = target.with_suffix("")
            content = environment.from_string(source.read_text()).render(context)
        else:
            content = source.read_text()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)


if __name__ == "__main__":
    main()
