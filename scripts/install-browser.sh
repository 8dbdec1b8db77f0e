#!/usr/bin/env bash
# Installs Debian's chromium for the headless browser tests if it is missing and we can.
set -u
# fonts-noto-core: the Indic scripts and Urdu render (and measure) as text, not boxes.
if [ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/truetype/noto ]; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium not installed and apt-get unavailable: browser tests will be skipped"
  exit 0
fi
echo "Installing Debian chromium for browser tests…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq chromium fonts-noto-core >/dev/null 2>&1 || echo "chromium install failed: browser tests will be skipped"
exit 0
