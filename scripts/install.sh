#!/usr/bin/env bash
# Install what infosec-law-kg needs on a fresh Debian/Ubuntu machine: a JRE and the OWL API 5 (the OWL 2 DL profile and
# HermiT checks), Graphviz (the model diagram), Chromium (the browser tests, driven by Playwright from PyPI),
# Virtuoso (a second engine for the remote-mode tests), and the Python package with its test extras in ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
[ -f /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)  # the second engine of the remote-mode tests
if [ ${#need[@]} -gt 0 ]; then
  echo "install: Debian packages ${need[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${need[@]}"
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
echo "install: done ($(.venv/bin/python --version), java: $(command -v java))"
