#!/usr/bin/env bash
# Installs what the benchmarks need, once: hyperfine and wrk (Debian packages), and the
# virtual environment .bench-venv with fastgen and every dependency of the projects it
# generates. Then: .bench-venv/bin/python bench/run.py
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hyperfine >/dev/null || ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq hyperfine wrk >/dev/null
fi
[ -x .bench-venv/bin/python ] || python3 -m venv .bench-venv
.bench-venv/bin/pip install -q uv
uv=(.bench-venv/bin/python -m uv pip install -q --compile-bytecode --python .bench-venv/bin/python)
"${uv[@]}" -e .

# The generated projects' own dependencies, read from the projects themselves.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
.bench-venv/bin/fastgen new lite "$scratch/lite" --yes --no-git -q >/dev/null
.bench-venv/bin/fastgen new full "$scratch/full" --yes --no-git -q \
  --database postgresql --websocket --broadcast redis --metrics --tracing >/dev/null
.bench-venv/bin/fastgen new auth "$scratch/auth" --yes --no-git -q --auth jwt >/dev/null
.bench-venv/bin/python - "$scratch/lite" "$scratch/full" "$scratch/auth" >"$scratch/requirements.txt" <<'PY'
import sys, tomllib
for project in sys.argv[1:]:
    config = tomllib.load(open(f"{project}/pyproject.toml", "rb"))
    print(*config["project"]["dependencies"], *config["dependency-groups"]["dev"], sep="\n")
PY
"${uv[@]}" -r "$scratch/requirements.txt"
echo "benchmark environment ready: .bench-venv"
