#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the browser tests: found on PATH or at
# /usr/bin/chromium; installed with apt-get when missing and running as root; otherwise one line
# saying what to install.
set -euo pipefail
for c in chromium chromium-browser /usr/bin/chromium; do
  if command -v "$c" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests (apt-get install chromium)..." >&2
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/shopmail-chromium-install.log 2>&1; then
    exit 0
  fi
  echo "apt-get install chromium failed; see /tmp/shopmail-chromium-install.log" >&2
  exit 1
fi
echo "The browser tests need Chromium: install Debian's chromium package (sudo apt-get install chromium)." >&2
exit 1
