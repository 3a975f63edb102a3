#!/usr/bin/env bash
# The Debian packages the tests need: WeasyPrint's Pango and HarfBuzz and a CJK font for the PDFs,
# and Chromium for the browser journeys (tests/e2e; Debian's, never a downloaded browser).
# Installed when missing and running as root (CI, these machines); otherwise it says what to
# install. It never fails the build: without them those tests skip, saying why.
set -u
need=()
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing the Debian packages the tests need: ${need[*]}"
  if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null); then
    echo "Could not install ${need[*]}: the tests that need them will skip."
  fi
else
  echo "The tests need: apt-get install -y --no-install-recommends ${need[*]} (those tests skip without them)."
fi
exit 0
