#!/usr/bin/env bash
# The whole test suite (the README's test command runs this after scripts/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest -q "$@"
