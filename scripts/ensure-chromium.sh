#!/usr/bin/env bash
# The browser tests (test/e2e) drive Debian's Chromium through playwright-core, which never
# downloads a browser of its own. Installs it when it is missing and this machine can (root with
# apt-get); otherwise says what to do.
set -euo pipefail
chromium_path="${RELANCE_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium_path" ]] && exit 0
if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium) >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $chromium_path: install it (sudo apt-get install chromium)" >&2
echo "or point RELANCE_CHROMIUM at a Chromium or Chrome executable." >&2
exit 1
