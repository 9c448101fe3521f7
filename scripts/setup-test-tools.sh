#!/bin/sh
# Installs the tools the hook tests use beyond Node: systemd-analyze, which checks the generated
# systemd drop-in (Debian/Ubuntu package "systemd"). Safe to run again: it does nothing when the
# tool is already there. Without it those tests are skipped, not failed.
set -eu

if command -v systemd-analyze >/dev/null 2>&1; then
  echo "setup-test-tools: systemd-analyze present ($(systemd-analyze --version | head -n 1))"
  exit 0
fi

if [ "$(uname -s)" != "Linux" ]; then
  echo "setup-test-tools: not Linux; the systemd checks are skipped on this platform"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-test-tools: no apt-get; install the package that provides systemd-analyze by hand" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "setup-test-tools: need root (or sudo) to run apt-get" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update
$as_root apt-get install -y --no-install-recommends systemd

command -v systemd-analyze >/dev/null 2>&1 || {
  echo "setup-test-tools: systemd was installed but systemd-analyze is still missing" >&2
  exit 1
}
echo "setup-test-tools: installed $(systemd-analyze --version | head -n 1)"
