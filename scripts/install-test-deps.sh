#!/usr/bin/env bash
# Installs what `npm test` needs beyond Node and npm, from Debian/Ubuntu's apt (the same installer
# .ci/run uses; `npm run setup-test-deps` runs it):
#   erlang-nox      `erl`, the codec's oracle (test/support/erlang-oracle.ts)
#   kcat            hosts the in-memory Kafka cluster of the NCMP tests (test/ncmp/kcat-cluster.ts)
#   python3         the example NSO event clients (examples/clients/python)
#   python3-pytest  the pytest plugin's tests (python/, test/e2e/pytest-plugin.test.ts)
#   python3-venv    the same test pip-installs the plugin into a venv
# Only what is missing is installed. --dry-run prints the packages it would install and exits.
# Uses sudo when not root.
set -euo pipefail

dry_run=false
if [ "${1:-}" = "--dry-run" ]; then dry_run=true; fi

need=()
command -v erl >/dev/null 2>&1 || need+=(erlang-nox)
command -v kcat >/dev/null 2>&1 || need+=(kcat)
if ! command -v python3 >/dev/null 2>&1; then
  need+=(python3 python3-pytest python3-venv)
else
  python3 -c 'import pytest' >/dev/null 2>&1 || need+=(python3-pytest)
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
fi

if [ ${#need[@]} -eq 0 ]; then
  echo "install-test-deps: everything the tests need is installed (erl, kcat, python3 with pytest and venv)"
  exit 0
fi
if $dry_run; then
  echo "install-test-deps: would install: ${need[*]}"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: apt-get not found; install these yourself: ${need[*]} (erl, kcat, python3 with pytest and venv)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: installing ${need[*]}" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
