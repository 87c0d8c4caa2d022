#!/bin/sh
# Debian packages Prima needs at run time: Pango for WeasyPrint, HarfBuzz's subsetter (font
# subsetting is ~5x faster with it), poppler-utils (pdftotext, used by the PDF tests), and curl
# and jq for scripts/walkthrough.sh (run by the tests).
# Installs them with apt-get when running as root; otherwise says exactly what to install.
set -e
missing=""
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libpango-1.0.so.0' || missing="$missing libpango-1.0-0"
have_lib 'libpangoft2-1.0.so.0' || missing="$missing libpangoft2-1.0-0"
have_lib 'libharfbuzz-subset.so.0' || missing="$missing libharfbuzz-subset0"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v jq >/dev/null 2>&1 || missing="$missing jq"
if [ "${PRIMA_WITH_BROWSER:-0}" = "1" ]; then
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
fi
if [ "${PRIMA_WITH_BENCH:-0}" = "1" ]; then
  command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages:$missing"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "Prima needs these Debian packages; please run:"
  echo "  sudo apt-get install -y$missing"
  exit 1
fi
