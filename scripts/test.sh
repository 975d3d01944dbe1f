#!/usr/bin/env bash
# Install proplens with its test and training extras into .venv and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[dev,train,postgres]'
.venv/bin/pytest -q "$@"
