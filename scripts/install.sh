#!/usr/bin/env bash
# Install what infosec-law-kg needs on a fresh Debian/Ubuntu machine: a JRE and the OWL API 5 (the OWL 2 DL profile and
# HermiT checks), Graphviz (the model diagram), Chromium (the browser tests, driven by Playwright from PyPI),
# Virtuoso (a second engine for the remote-mode tests), and the Python package with its test extras in ./.venv, and
# Comunica (tests/js, `npm ci`) for the client tests.
#   bash scripts/install.sh               # everything: development and the test suite
#   bash scripts/install.sh --serve-only  # the service only: no test extras, browser, Virtuoso or Comunica (Dockerfile)
set -euo pipefail
cd "$(dirname "$0")/.."
serve_only=false
[ "${1:-}" = "--serve-only" ] && serve_only=true
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
[ -f /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
$serve_only || command -v chromium >/dev/null 2>&1 || need+=(chromium)
$serve_only || command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)  # the second engine of the remote-mode tests
if [ ${#need[@]} -gt 0 ]; then
  echo "install: Debian packages ${need[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${need[@]}"
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if $serve_only; then
  .venv/bin/python -m pip install -q -e .
else
  .venv/bin/python -m pip install -q -e '.[test]'
  if command -v npm >/dev/null 2>&1; then
    (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)  # Comunica 4.x for tests/test_clients.py
  elif [ "${CI:-}" = "true" ]; then
    echo "install: npm is missing; CI needs it for the Comunica client tests (tests/js)" >&2; exit 1
  fi
fi
echo "install: done ($(.venv/bin/python --version), java: $(command -v java))"
echo "install: the kg command is $(pwd)/.venv/bin/kg; it is not on PATH: run it by that path, or"
echo "         source .venv/bin/activate, or: export PATH=\"$(pwd)/.venv/bin:\$PATH\""
