#!/bin/sh
# Installs the tools the tests use beyond Node, from Debian's packages:
# - systemd-analyze (package "systemd") checks the generated systemd drop-in;
# - nft (package "nftables") drops a loopback peer's packets, so the live gateway tests can have a
#   peer vanish without FIN or RST;
# - strace (package "strace") kills apply, revert and recovery at chosen system calls (test/safety);
# - promtool (package "prometheus", optional) checks the output of `openclaw-patch metrics`;
# - chromium (package "chromium", optional) opens `openclaw-patch report --html` offline, headless
#   (test/gateway/html-report.test.ts drives it with playwright-core, which downloads no browser).
# Safe to run again: it installs only what is missing. Without a tool the tests that need it are
# skipped and say why, not failed.
set -eu

# Optional, and installed on its own: a release without the package must not stop the tools above.
if [ "$(uname -s)" = "Linux" ] && ! command -v promtool >/dev/null 2>&1; then
  sh "$(dirname "$0")/apt-install.sh" setup-test-tools prometheus >/dev/null 2>&1 ||
    echo "setup-test-tools: promtool (package prometheus) could not be installed; the metrics format test is skipped" >&2
fi
if [ "$(uname -s)" = "Linux" ] && ! command -v chromium >/dev/null 2>&1; then
  sh "$(dirname "$0")/apt-install.sh" setup-test-tools chromium >/dev/null 2>&1 ||
    echo "setup-test-tools: chromium could not be installed; the HTML report browser test is skipped" >&2
fi

missing=""
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
command -v nft >/dev/null 2>&1 || missing="$missing nftables"
command -v strace >/dev/null 2>&1 || missing="$missing strace"

if [ -z "$missing" ]; then
  echo "setup-test-tools: systemd-analyze ($(systemd-analyze --version | head -n 1)), nft ($(nft --version)) and strace ($(strace -V | head -n 1)) present"
  exit 0
fi

if [ "$(uname -s)" != "Linux" ]; then
  echo "setup-test-tools: not Linux; the tests needing$missing are skipped on this platform"
  exit 0
fi

# shellcheck disable=SC2086 # one word per package
sh "$(dirname "$0")/apt-install.sh" setup-test-tools $missing

for tool in systemd-analyze nft strace; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "setup-test-tools: $tool is still missing after installing$missing" >&2
    exit 1
  }
done
echo "setup-test-tools: installed$missing"
