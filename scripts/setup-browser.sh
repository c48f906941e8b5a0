#!/usr/bin/env bash
# Headless Chromium (Debian package) and a Japanese font for the browser tests
# (test/integration/dashboard*.test.ts). Idempotent: does nothing when both are present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && fc-list :lang=ja 2>/dev/null | grep -q .; then
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "setup-browser: install Chromium (/usr/bin/chromium) and a Japanese font (e.g. fonts-ipafont-gothic) for the browser tests" >&2; exit 1; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup-browser: needs root (or sudo) to apt-get install chromium fonts-ipafont-gothic" >&2; exit 1; }
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null
echo "setup-browser: installed $(chromium --version 2>/dev/null || echo chromium)"
