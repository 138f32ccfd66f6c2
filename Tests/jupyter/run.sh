#!/usr/bin/env bash
# The rlhf Jupyter kernel tested with the real Jupyter client (the only Python in the project):
# jupyter_kernel_test's protocol checks, interrupting a training, bad messages, restart and
# shutdown, and the round-trip latency of a trivial cell. Makes a virtual environment under
# .build/jupyter-venv once (pinned in requirements.txt; remade when that file changes) and
# installs the kernelspec into a temporary folder, pointing at .build/release/rlhf.
# Usage: bash Tests/jupyter/run.sh   (after swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
binary="$root/.build/release/rlhf"
venv="$root/.build/jupyter-venv"
[ -x "$binary" ] || { echo "jupyter tests: no $binary; run swift build -c release first"; exit 1; }

if ! cmp -s Tests/jupyter/requirements.txt "$venv/requirements.txt" 2>/dev/null; then
    echo "jupyter tests: making $venv (once)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r Tests/jupyter/requirements.txt
    cp Tests/jupyter/requirements.txt "$venv/requirements.txt"
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$binary" kernel install --prefix "$scratch/prefix" >/dev/null
export JUPYTER_PATH="$scratch/prefix/share/jupyter"
export JUPYTER_DATA_DIR="$scratch/data" JUPYTER_RUNTIME_DIR="$scratch/runtime" JUPYTER_CONFIG_DIR="$scratch/config"
export JUPYTER_PLATFORM_DIRS=1 PYTHONDONTWRITEBYTECODE=1
export RLHF_BINARY="$binary"

started=$(date +%s)
if (cd Tests/jupyter && "$venv/bin/python" -m unittest -v test_kernel test_client test_notebooks); then
    echo "jupyter tests: ok in $(( $(date +%s) - started )) s"
else
    echo "jupyter tests: FAILED (see above)"
    exit 1
fi
